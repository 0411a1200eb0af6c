"""URLs of the corrective actions, mounted at /corrective/."""

from django.urls import path

from kitei.corrective import views

app_name = "corrective"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/progress/", views.action_progress, name="progress"),
    path("<int:pk>/evidence/", views.action_evidence, name="evidence"),
    path("<int:pk>/report/", views.action_report, name="report"),
    path("<int:pk>/verify/", views.action_verify, name="verify"),
]
