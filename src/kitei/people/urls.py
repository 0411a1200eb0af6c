"""URLs of the people register, mounted at /people/."""

from django.urls import path

from kitei.people import token_views, views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/assign/", views.role_assign, name="assign"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("add/", views.person_add, name="add"),
    path("departments/add/", views.department_add, name="department_add"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="end_assignment"),
    path("import/", views.people_import, name="import"),
    path("export/", views.people_export, name="export"),
]
