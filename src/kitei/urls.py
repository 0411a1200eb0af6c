"""URL configuration of kitei."""

from django.contrib import admin
from django.urls import include, path

from kitei.api.api import api
from kitei.core import evidence_views, organization_views, progress_views, views

handler403 = "kitei.core.errors.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("organization/", organization_views.choose, name="organization_choose"),
    path("organization/switch/", organization_views.switch, name="organization_switch"),
    path("evidence/<int:pk>/", evidence_views.download, name="evidence_download"),
    path("imports/<int:pk>/", progress_views.import_progress, name="import_progress"),
    path("people/", include("kitei.people.urls")),
    path("assets/", include("kitei.assets.urls")),
    path("assets/", include("kitei.assets.import_urls")),
    path("systems/", include("kitei.systems.urls")),
    path("systems/", include("kitei.systems.import_urls")),
    path("approvals/", include("kitei.approvals.urls")),
    path("records/", include("kitei.records.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
