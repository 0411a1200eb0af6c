"""Pages of the information asset register: list, asset, and the keepers' changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kitei.assets import queries, services
from kitei.assets.filters import AssetFilterSet
from kitei.assets.forms import AssetEntryForm, ClassifyForm
from kitei.assets.models import Asset, AssetForm, ClassificationStatus
from kitei.core import access, keyset
from kitei.core.models import Organization
from kitei.people import queries as people_queries
from kitei.people.models import Department

PAGE_SIZE = 50


def _organization(request: HttpRequest, permission: access.Permission) -> Organization:
    """The user's organisation, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    assert org is not None  # require() refuses users without an organisation
    return org


def _kept_departments(request: HttpRequest, org: Organization) -> QuerySet[Department]:
    """The departments whose assets the user keeps (all of them for administrators)."""
    reach = access.reach(request.user, "assets.manage", org)
    result = queries.departments(org)
    return result if reach.everything else result.filter(pk__in=reach.departments)


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    """The register: filters in the query string (AssetFilterSet), keyset pages of 50
    (kitei.core.keyset: `after`, `before`, `last`; no OFFSET however deep the page).

    A parameter the list cannot take is shown above an empty list, never dropped.
    `page` (the numbered pages of before) is still taken and ignored, for old bookmarks.
    """
    org = _organization(request, "assets.view")
    pack = queries.pack_of(org)
    filters = AssetFilterSet(request.GET, organization=org, allowed=("page", *keyset.PARAMETERS))
    listed = keyset.paginate(request, lambda: queries.assets(filters), PAGE_SIZE, "created_at")
    selected = filters.selected
    axes = [
        (
            axis.id,
            axis.title,
            [(lv.id, lv.title) for lv in reversed(axis.levels)],
            selected.get(axis.id, ""),
        )
        for axis in pack.classification.axes
    ]
    context = {
        "page": listed.page,
        "problems": listed.problems,
        "rows": queries.rows(pack, listed.page.object_list),
        "filters": filters,
        "selected": selected,
        "axes": axes,
        "departments": queries.departments(org),
        "owners": queries.people(org),
        "forms": AssetForm.choices,
        "statuses": ClassificationStatus.choices,
        "can_manage": access.check(request.user, "assets.manage", org).allowed,
    }
    return render(request, "assets/asset_list.html", context, status=listed.status)


def _detail_context(request: HttpRequest, org: Organization, item: Asset) -> dict[str, Any]:
    pack = queries.pack_of(org)
    context: dict[str, Any] = {
        "asset": item,
        "created_by_name": people_queries.member_name(org, item.created_by),
        "pack": pack,
        "view": queries.view(pack, item),
        "can_manage": access.check(request.user, "assets.manage", item).allowed,
        "can_copy": access.check(request.user, "assets.manage", org).allowed,
    }
    if item.classification_status == ClassificationStatus.UNCLEAR:
        decision = queries.classify_unclear_decision(org, item)
        may = access.check_decided(
            request.user, "assets.classify", item, decision, otherwise="assets.manage"
        ).allowed
        context.update(
            decision=decision,
            can_classify=may and bool(pack.classification.axes),
            classify_form=ClassifyForm(organization=org) if may else None,
        )
    return context


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One asset: class, 取扱制限 and label from the pack, copies, media, who decides."""
    org = _organization(request, "assets.view")
    item = queries.asset(org, pk)
    return render(request, "assets/asset_detail.html", _detail_context(request, org, item))


def _form_page(
    request: HttpRequest, form: Any, title: str, submit: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, **extra}
    return render(request, "assets/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def asset_add(request: HttpRequest) -> HttpResponse:
    """Register an asset with its class on every axis of the pack, or as unclear."""
    org = _organization(request, "assets.manage")
    form = AssetEntryForm(
        request.POST or None, organization=org, departments=_kept_departments(request, org)
    )
    if request.method == "POST" and form.is_valid():
        classification = form.classification()
        try:
            item = services.register_asset(
                org,
                actor=request.user,
                classification=classification,
                unclear=classification is None,
                **form.entry(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(name)s」を登録しました。") % {"name": item.name})
            return redirect("assets:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, form, _("情報資産を登録"), _("登録する"), status)


def _save_entry(request: HttpRequest, org: Organization, item: Asset, form: Any) -> None:
    """Apply an edit form: register fields and class in one transaction, or nothing."""
    changes = {k: v for k, v in form.entry().items() if getattr(item, k) != v}
    new_class = form.classification() if form.with_class else item.classification
    unclear = item.classification_status == ClassificationStatus.UNCLEAR
    if new_class is None and not unclear:
        raise ValidationError(_("決定済みの分類を「分類が不明」に戻すことはできません。"))
    reclassify = (
        form.with_class and new_class is not None and (unclear or new_class != item.classification)
    )
    if reclassify and unclear:
        decision = queries.classify_unclear_decision(org, item)
        if not access.check_decided(
            request.user, "assets.classify", item, decision, otherwise="assets.manage"
        ).allowed:
            roles = "・".join(t for step in decision.approvals for _i, t in step.roles)
            raise ValidationError(
                _("分類が不明な資産の分類は%(roles)sが判断します。") % {"roles": roles}
            )
    with transaction.atomic():
        if changes:
            services.update_asset(item, actor=request.user, **changes)
        if reclassify:
            services.classify_asset(item, actor=request.user, classification=new_class)


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an asset's entry and class (a copy's class follows its original)."""
    org = _organization(request, "assets.view")
    item = queries.asset(org, pk)
    if not access.check(request.user, "assets.manage", item).allowed:
        raise PermissionDenied("assets.manage")
    form = AssetEntryForm(
        request.POST or None,
        initial=AssetEntryForm.initial_for(item),
        organization=org,
        departments=_kept_departments(request, org),
        with_class=item.copy_of_id is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_entry(request, org, item, form)
        except ValidationError as exc:
            item.refresh_from_db()
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(name)s」を更新しました。") % {"name": item.name})
            return redirect("assets:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    title = _("「%(name)s」を編集") % {"name": item.name}
    return _form_page(request, form, title, _("保存する"), status, asset=item)


@login_required
@require_http_methods(["GET", "POST"])
def asset_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a copy of an asset; it keeps the original's class (002 3(2)ア(ウ))."""
    org = _organization(request, "assets.manage")
    original = queries.asset(org, pk)
    initial = {**AssetEntryForm.initial_for(original), "name": f"{original.name}（写し）"}
    form = AssetEntryForm(
        request.POST or None,
        initial=initial,
        organization=org,
        departments=_kept_departments(request, org),
        with_class=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.register_asset(
                org, actor=request.user, copy_of=original, **form.entry()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(name)s」を登録しました。") % {"name": item.name})
            return redirect("assets:detail", pk=item.pk)
    status = 400 if request.method == "POST" else 200
    title = _("「%(name)s」の複製を登録") % {"name": original.name}
    return _form_page(request, form, title, _("登録する"), status, asset=original, copy=True)


@login_required
@require_POST
def asset_classify(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide the class of an asset whose class was unclear (the role the pack names)."""
    org = _organization(request, "assets.view")
    item = queries.asset(org, pk)
    if item.classification_status != ClassificationStatus.UNCLEAR:
        messages.info(request, _("この資産の分類は既に決まっています。"))
        return redirect("assets:detail", pk=item.pk)
    decision = queries.classify_unclear_decision(org, item)
    if not access.check_decided(
        request.user, "assets.classify", item, decision, otherwise="assets.manage"
    ).allowed:
        raise PermissionDenied("asset.classify_unclear")
    form = ClassifyForm(request.POST, organization=org)
    if form.is_valid():
        classification = form.classification()
        try:
            services.classify_asset(item, actor=request.user, classification=classification or {})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("分類を決定しました。"))
            return redirect("assets:detail", pk=item.pk)
    context = _detail_context(request, org, item)
    context["classify_form"] = form
    return render(request, "assets/asset_detail.html", context, status=400)
