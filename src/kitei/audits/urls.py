"""URLs of the audits, mounted at /audits/."""

from django.urls import path

from kitei.audits import finding_views, views

app_name = "audits"

urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("year/<int:year>/", views.programme_detail, name="programme"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/appoint/", views.audit_appoint, name="appoint"),
    path("<int:pk>/paper/", views.audit_paper, name="paper"),
    path("<int:pk>/evidence/", views.audit_evidence, name="evidence"),
    path("<int:pk>/finding/", views.audit_finding, name="raise_finding"),
    path("<int:pk>/start/", views.audit_start, name="start"),
    path("<int:pk>/issue/", views.audit_issue, name="issue"),
    path("<int:pk>/receive/", views.audit_receive, name="receive"),
    path("<int:pk>/copy/", views.audit_copy, name="copy"),
    path("findings/", finding_views.finding_list, name="findings"),
    path("findings/export.xlsx", finding_views.finding_export, name="findings_export"),
    path("findings/<int:pk>/", finding_views.finding_detail, name="finding"),
    path("findings/<int:pk>/plan/", finding_views.finding_plan, name="plan"),
    path("findings/<int:pk>/close/", finding_views.finding_close, name="close"),
    path("findings/<int:pk>/accept/", finding_views.finding_accept, name="accept"),
    path("findings/<int:pk>/withdraw/", finding_views.finding_withdraw, name="withdraw"),
    path("findings/<int:pk>/deploy/", finding_views.finding_deploy, name="deploy"),
    path("findings/<int:pk>/answer/", finding_views.finding_answer, name="answer"),
]
