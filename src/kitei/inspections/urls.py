"""URLs of self-inspection, mounted at /inspections/."""

from django.urls import path

from kitei.inspections import questionnaire_views, views

app_name = "inspections"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("start/", views.campaign_start, name="start"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/move/", views.campaign_move, name="campaign_move"),
    path("<int:pk>/rollup/", views.campaign_rollup, name="rollup"),
    path("q/<int:pk>/", questionnaire_views.questionnaire, name="questionnaire"),
    path("answers/<int:pk>/", questionnaire_views.answer, name="answer"),
    path("q/<int:pk>/submit/", questionnaire_views.submit, name="submit"),
    path("q/<int:pk>/review/", questionnaire_views.review, name="review"),
    path("q/<int:pk>/export.xlsx", questionnaire_views.export, name="export"),
    path("q/<int:pk>/upload/", questionnaire_views.upload, name="upload"),
    path("q/<int:pk>/evidence/", questionnaire_views.evidence_files, name="evidence"),
]
