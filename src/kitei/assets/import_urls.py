"""URLs of the 情報資産台帳 import and export, mounted at /assets/ beside the register's own."""

from django.urls import path

from kitei.assets import import_views

urlpatterns = [
    path("import/", import_views.assets_import, name="assets_import"),
    path("export/", import_views.assets_export, name="assets_export"),
]
