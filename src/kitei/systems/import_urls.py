"""URLs of the 情報システム台帳 import and export, mounted at /systems/ beside the register's."""

from django.urls import path

from kitei.systems import import_views

urlpatterns = [
    path("import/", import_views.systems_import, name="systems_import"),
    path("export/", import_views.systems_export, name="systems_export"),
]
