"""Pages of the people register: list, person, and the administrators' changes."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kitei.core import access, imports, lockout, roundtrip
from kitei.core.models import Organization
from kitei.core.progress_views import progress_context
from kitei.core.tabular import time_limit
from kitei.core.transfer import WEB_MAX_SECONDS, Format, download
from kitei.people import csv_import, queries, register_sheet, services, token_views
from kitei.people.forms import (
    WEB_MAX_ACCOUNTS,
    AssignRoleForm,
    DepartmentForm,
    EndAssignmentForm,
    ImportForm,
    PersonForm,
)

PAGE_SIZE = 50


def _organization(request: HttpRequest, permission: access.Permission) -> Organization:
    """The user's organisation, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    assert org is not None  # require() refuses users without an organisation
    return org


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages that show a temporary password must not be kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    """The organisation's people with department and the roles they hold today."""
    org = _organization(request, "people.view")
    today = timezone.localdate()
    titles = queries.role_titles(org)
    department = _int(request.GET.get("department"))
    role = request.GET.get("role", "")
    role = role if role in titles else ""
    can_manage = access.check(request.user, "people.manage", org).allowed
    # Those kitei cannot notify by mail: for the register's keepers, who can add the address.
    missing = can_manage and request.GET.get("address") == "missing"
    people = queries.people(
        org, on=today, department=department, role=role or None, without_address_only=missing
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": queries.rows(page.object_list, titles),
        "titles": titles,
        "departments": queries.departments(org),
        "department": department,
        "role": role,
        "address_missing": missing,
        "can_manage": can_manage,
    }
    return render(request, "people/person_list.html", context)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person: department, account, every role assignment (ended ones too), deputies."""
    org = _organization(request, "people.view")
    today = timezone.localdate()
    titles = queries.role_titles(org)
    subject = queries.person(org, pk)
    can_manage = access.check(request.user, "people.manage", org).allowed
    context = {
        "person": subject,
        "rows": queries.assignment_rows(org, subject, today, titles),
        "deputies": queries.deputies_of(org, subject, today, titles),
        "memberships": queries.membership_rows(queries.memberships(org, person=subject), today),
        "titles": titles,
        "can_manage": can_manage,
        # Only administrators see whether failed logins have locked the account.
        "lock": lockout.state(subject.user) if can_manage and subject.user else None,
        **token_views.context(request, org, subject),
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_http_methods(["POST"])
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the failed-login lock of a person's account (organisation administrators)."""
    org = _organization(request, "people.manage")
    subject = queries.person(org, pk)
    try:
        services.unlock_account(org, actor=request.user, person=subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(name)s のアカウントのロックを解除しました。") % {"name": subject.name}
        )
    return redirect("people:detail", pk=subject.pk)


def _form_page(
    request: HttpRequest, form: Any, title: str, submit: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, **extra}
    return render(request, "people/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def department_add(request: HttpRequest) -> HttpResponse:
    """Add a department (organisation administrators)."""
    org = _organization(request, "people.manage")
    form = DepartmentForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        dept = services.create_department(org, actor=request.user, name=form.cleaned_data["name"])
        messages.success(request, _("部署「%(name)s」を追加しました。") % {"name": dept.name})
        return redirect("people:list")
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, _("部署を追加"), _("追加する"), status)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    """Add a person, with a login account whose password must be changed at first login."""
    org = _organization(request, "people.manage")
    form = PersonForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or (services.temporary_password() if data["username"] else "")
        try:
            person = services.create_person(
                org,
                actor=request.user,
                name=data["name"],
                username=data["username"] or None,
                password_hash=make_password(password) if password else None,
                department=data["department"],
                position=data["position"],
                email=data["email"],
                is_org_admin=data["is_org_admin"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            context = {"person": person, "password": password if not data["password"] else ""}
            return _no_store(render(request, "people/person_created.html", context))
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, _("職員を追加"), _("追加する"), status)


@login_required
@require_http_methods(["GET", "POST"])
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a role of the pack to a person, as holder or as deputy (代行) for a period."""
    org = _organization(request, "people.manage")
    subject = queries.person(org, pk)
    form = AssignRoleForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_role(
                org,
                actor=request.user,
                person=subject,
                role_id=data["role"],
                department=data["department"],
                system=data["system"],
                deputy_for=data["deputy_for"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("役割を割り当てました。"))
            return redirect("people:detail", pk=subject.pk)
    status = 400 if request.method == "POST" else 200
    title = _("%(name)s に役割を割り当てる") % {"name": subject.name}
    return _form_page(request, form, title, _("割り当てる"), status, person=subject)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End a role assignment by setting its last valid day (it stays on record)."""
    org = _organization(request, "people.manage")
    item = queries.assignment(org, pk)
    form = EndAssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_assignment(
                org, actor=request.user, assignment=item, on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("役割の割当てを終了しました。"))
            return redirect("people:detail", pk=item.person_id)
    status = 400 if request.method == "POST" else 200
    title = _("%(name)s の「%(role)s」を終了する") % {
        "name": item.person.name,
        "role": queries.role_titles(org).get(item.role_id, item.role_id),
    }
    return _form_page(request, form, title, _("終了する"), status, person=item.person)


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Check a people register CSV (dry run) and import it when every row is valid."""
    org = _organization(request, "people.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "max_accounts": WEB_MAX_ACCOUNTS,
        "task_rows": f"{settings.IMPORT_TASK_ROWS:,}",
    }
    if request.method != "POST":
        return render(request, "people/import.html", context)
    if not form.is_valid():
        return render(request, "people/import.html", context, status=400)
    data: bytes = form.cleaned_data["data"]
    create = form.cleaned_data["create_departments"]
    with time_limit(WEB_MAX_SECONDS):
        plan = csv_import.read_people_csv(org, data, create_departments=create)
    too_many = plan.accounts > WEB_MAX_ACCOUNTS
    titles = queries.role_titles(org)
    preview = [(e, "、".join(titles.get(r, r) for r in e.roles)) for e in plan.entries]
    context.update(plan=plan, preview=preview, summary=plan.summary(), too_many=too_many)
    context.update(diff=plan.diff, fingerprint=plan.diff.fingerprint())
    if not plan.ok or too_many or request.POST.get("action") != "import":
        context["content"] = base64.b64encode(data).decode("ascii") if plan.ok else ""
        ok = plan.ok and not too_many
        return render(request, "people/import.html", context, status=200 if ok else 400)
    shown = request.POST.get("fingerprint")
    if shown is not None and shown != plan.diff.fingerprint():  # not what the page showed
        context["content"] = base64.b64encode(data).decode("ascii")
        context["problem"] = roundtrip.changed_reason()
        return render(request, "people/import.html", context, status=400)
    if imports.runs_as_task(plan.rows):
        return _start_import(request, org, plan, data, create)
    return _import_now(request, org, data, create, context)


@login_required
@require_GET
def people_export(request: HttpRequest) -> HttpResponse:
    """The 職員名簿 as .xlsx (or CSV with ?format=csv), in the format the import reads."""
    org = _organization(request, "people.manage")
    fmt: Format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data = register_sheet.export_people(org, fmt=fmt)
    return download(data, fmt, f"{register_sheet.SHEET}-{org.slug}")


def _import_now(
    request: HttpRequest, org: Organization, data: bytes, create: bool, context: dict[str, Any]
) -> HttpResponse:
    """A short file: imported within this request, its temporary passwords shown once."""
    try:
        with time_limit(WEB_MAX_SECONDS):
            plan, accounts = csv_import.import_file(
                org, data, actor=request.user, create_departments=create
            )
    except ValidationError as exc:
        context["form"].add_error(None, exc)
        return render(request, "people/import.html", context, status=400)
    if not plan.ok:  # the register changed since the check above
        context["plan"] = plan
        return render(request, "people/import.html", context, status=400)
    context.update(accounts=accounts, plan=plan)
    return _no_store(render(request, "people/import_done.html", context))


def _start_import(
    request: HttpRequest, org: Organization, plan: csv_import.ImportPlan, data: bytes, create: bool
) -> HttpResponse:
    """A long file: a task imports it; its temporary passwords are shown here, once."""
    accounts, hashes = csv_import.temporary_accounts(plan)
    upload = request.FILES.get("file")
    item = imports.start_import(
        org,
        "people",
        data,
        actor=request.user,
        total=plan.rows,
        file_name=upload.name or "" if upload is not None else "",
        options={"create_departments": create, "password_hashes": hashes},
    )
    context = {**progress_context(item), "accounts": accounts}
    return _no_store(render(request, "people/import_started.html", context))
