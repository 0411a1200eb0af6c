"""URLs of the information asset register, mounted at /assets/."""

from django.urls import path

from kitei.assets import views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("add/", views.asset_add, name="add"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/copy/", views.asset_copy, name="copy"),
    path("<int:pk>/classify/", views.asset_classify, name="classify"),
]
