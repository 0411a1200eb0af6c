"""The Django admin shows rows and changes none: accounts, MFA and roles change only in services.

Django's and allauth's own admins would let a site administrator edit users, grant superuser,
set passwords, delete someone's TOTP device or verify e-mail addresses without an audit
record, bypassing the rules the services enforce (administrators keep MFA …). This site makes
every model admin registered on it read-only, whichever app registers it and in whatever
order, and sends the admin's login to kitei's (allauth: failed-login limits and TOTP).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class ReadOnlyModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over models
    """Lists and shows rows; adding, changing and deleting happen only through services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # An action without `allowed_permissions` (allauth's "mark as verified") would run
        # with the view permission alone.
        return {}


def read_only(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:  # type: ignore[type-arg]
    """The admin class with its list and detail views, and no way to change anything."""
    if issubclass(admin_class, ReadOnlyModelAdmin):
        return admin_class
    return type(
        admin_class.__name__,
        (ReadOnlyModelAdmin, admin_class),
        {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
    )


class ReadOnlyAdminSite(admin.AdminSite):
    """`admin.site`: every registration becomes read-only; signing in is kitei's login."""

    def register(
        self,
        model_or_iterable: type[Model] | Any,
        admin_class: type[admin.ModelAdmin] | None = None,  # type: ignore[type-arg]
        **options: Any,
    ) -> None:
        super().register(model_or_iterable, read_only(admin_class or admin.ModelAdmin), **options)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """kitei's login page (failed-login limits, TOTP), then back to the admin."""
        user = request.user
        if user.is_authenticated:
            if not (user.is_active and getattr(user, "is_staff", False)):
                raise PermissionDenied
            return redirect("admin:index")
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        return redirect_to_login(target)
