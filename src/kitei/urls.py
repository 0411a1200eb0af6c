"""URL configuration of kitei."""

from django.contrib import admin
from django.urls import include, path

from kitei.api.api import api
from kitei.core import audit_views, evidence_views, organization_views, progress_views, views

# kitei's own error pages, in Japanese (English when chosen): what happened, what to do.
handler400 = "kitei.core.errors.bad_request"
handler403 = "kitei.core.errors.permission_denied"
handler404 = "kitei.core.errors.page_not_found"
handler500 = "kitei.core.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/export.xlsx", audit_views.audit_export_view, name="audit_export"),
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
    path("corrective/", include("kitei.corrective.urls")),
    path("audits/", include("kitei.audits.urls")),
    path("duties/", include("kitei.duties.urls")),
    path("incidents/", include("kitei.incidents.urls")),
    path("inspections/", include("kitei.inspections.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
