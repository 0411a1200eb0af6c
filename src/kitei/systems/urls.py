"""URLs of the information system register, mounted at /systems/."""

from django.urls import path

from kitei.systems import views

app_name = "systems"

urlpatterns = [
    path("", views.system_list, name="list"),
    path("add/", views.system_add, name="add"),
    path("<int:pk>/", views.system_detail, name="detail"),
    path("<int:pk>/edit/", views.system_edit, name="edit"),
    path("<int:pk>/software/add/", views.software_add, name="software_add"),
]
