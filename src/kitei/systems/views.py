"""Pages of the information system register: list, system with its software, changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kitei.core import access
from kitei.core.filters import paginate
from kitei.core.models import Organization
from kitei.systems import queries, services
from kitei.systems.filters import SystemFilterSet
from kitei.systems.forms import SoftwareForm, SystemForm
from kitei.systems.models import System

PAGE_SIZE = 50


def _organization(request: HttpRequest, permission: access.Permission) -> Organization:
    """The user's organisation, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    assert org is not None  # require() refuses users without an organisation
    return org


def _may_change(request: HttpRequest, org: Organization, item: System) -> bool:
    return access.check(request.user, "systems.manage", item).allowed


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    """The register: filters in the query string (SystemFilterSet), pages of 50 by the database.

    A parameter the list cannot take is shown above an empty list, never dropped.
    """
    org = _organization(request, "systems.view")
    pack = queries.pack_of(org)
    today = timezone.localdate()
    filters = SystemFilterSet(request.GET, organization=org, allowed=("page",))
    listed = paginate(request, lambda: queries.systems(filters, today), PAGE_SIZE)
    context = {
        "page": listed.page,
        "problems": listed.problems,
        "rows": queries.rows(pack, listed.page.object_list),
        "filters": filters,
        "selected": filters.selected,
        "zones": queries.zone_titles(pack),
        "availability": queries.availability_levels(pack),
        "departments": queries.departments(org),
        "managers": queries.people(org),
        "can_manage": access.check(request.user, "systems.manage", org).allowed,
    }
    return render(request, "systems/system_list.html", context, status=listed.status)


@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One system: owner, zone, requirements, software with its support status."""
    org = _organization(request, "systems.view")
    item = queries.system(org, pk)
    pack = queries.pack_of(org)
    software, reason = queries.software_rows(org, item, timezone.localdate())
    levels = dict(queries.availability_levels(pack))
    context = {
        "system": item,
        "zone": queries.zone_titles(pack).get(item.zone, item.zone),
        "availability": levels.get(item.availability, item.availability),
        "software": software,
        "reason": reason,
        "can_manage": _may_change(request, org, item),
    }
    return render(request, "systems/system_detail.html", context)


def _form_page(
    request: HttpRequest, form: Any, title: str, submit: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, **extra}
    return render(request, "systems/form.html", context, status=status)


def _check_keeps(
    request: HttpRequest, org: Organization, form: SystemForm, system_id: int | None
) -> None:
    """A keeper of some systems only registers systems they keep (Japanese message)."""
    manager = form.cleaned_data.get("manager")
    target = access.Target(
        organization_id=org.pk,
        system_id=system_id,
        system_manager_id=manager.pk if manager else None,
    )
    if not access.check(request.user, "systems.manage", target).allowed:
        raise ValidationError(
            _(
                "管理する情報システムだけを登録できます（情報システム管理者に自分を指定してください）。"
            )
        )


@login_required
@require_http_methods(["GET", "POST"])
def system_add(request: HttpRequest) -> HttpResponse:
    """Add a system to the 情報システム台帳."""
    org = _organization(request, "systems.manage")
    form = SystemForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            _check_keeps(request, org, form, None)
            entry = form.entry()
            item = services.register_system(
                org,
                actor=request.user,
                name=entry.pop("name"),
                department=entry.pop("department"),
                **entry,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(name)s」を登録しました。") % {"name": item.name})
            return redirect("systems:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, _("情報システムを登録"), _("登録する"), status)


@login_required
@require_http_methods(["GET", "POST"])
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a system's register entry."""
    org = _organization(request, "systems.view")
    item = queries.system(org, pk)
    if not _may_change(request, org, item):
        raise PermissionDenied("systems.manage")
    form = SystemForm(request.POST or None, initial=SystemForm.initial_for(item), organization=org)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.entry().items() if getattr(item, k) != v}
        try:
            _check_keeps(request, org, form, item.pk)
            if changes:
                services.update_system(item, actor=request.user, **changes)
        except ValidationError as exc:
            item.refresh_from_db()
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(name)s」を更新しました。") % {"name": item.name})
            return redirect("systems:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    title = _("「%(name)s」を編集") % {"name": item.name}
    return _form_page(request, form, title, _("保存する"), status, system=item)


@login_required
@require_http_methods(["GET", "POST"])
def software_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record software the system runs, with its end of support (002 7-4(1)キ)."""
    org = _organization(request, "systems.view")
    item = queries.system(org, pk)
    if not _may_change(request, org, item):
        raise PermissionDenied("systems.manage")
    form = SoftwareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        software = services.add_software(
            item,
            actor=request.user,
            name=data["name"],
            version=data["version"].strip(),
            end_of_support=data["end_of_support"],
        )
        messages.success(request, _("「%(name)s」を追加しました。") % {"name": str(software)})
        return redirect("systems:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    title = _("「%(name)s」にソフトウェアを追加") % {"name": item.name}
    return _form_page(request, form, title, _("追加する"), status, system=item)
