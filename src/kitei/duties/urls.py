"""URLs of the fiscal-year calendar, settings and training, mounted at /duties/."""

from django.urls import path

from kitei.duties import views

app_name = "duties"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("export.xlsx", views.calendar_export, name="export"),
    path("complete/", views.complete, name="complete"),
    path("settings/", views.settings_page, name="settings"),
    path("training/", views.training_list, name="training_list"),
    path("training/<int:pk>/", views.training_detail, name="training"),
    path("feed.ics", views.ical_feed, name="ical"),
]
