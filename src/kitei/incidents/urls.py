"""URLs of the incidents pages."""

from __future__ import annotations

from django.urls import path

from kitei.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.file_view, name="file"),
    path("<int:pk>/", views.detail, name="detail"),
    path("steps/<int:step>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("steps/<int:step>/decide/", views.decide, name="decide"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/timeline/", views.add_entry, name="add_entry"),
    path("<int:pk>/severity/", views.judge, name="judge"),
    path("<int:pk>/prevention/", views.prevention_action, name="prevention"),
    path("<int:pk>/manual/", views.manual_step, name="manual"),
]
