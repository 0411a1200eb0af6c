"""Reads of the information system register, always scoped to one organisation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kitei.core import access, textsearch
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy.decision import Effect, Reason
from kitei.policy.model import Pack
from kitei.systems.filters import SystemFilterSet
from kitei.systems.models import Software, System


def pack_of(organization: Organization) -> Pack:
    """The organisation's policy pack."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


def zone_titles(pack: Pack) -> dict[str, str]:
    """Network zone id → title, from the pack (empty when the seed defines none)."""
    return {z.id: z.title for z in pack.network.zones}


def availability_levels(pack: Pack) -> list[tuple[str, str]]:
    """(level id, title) of the pack's availability axis, highest first; [] without one."""
    axis = next((a for a in pack.classification.axes if a.id == "availability"), None)
    return [(lv.id, lv.title) for lv in reversed(axis.levels)] if axis else []


def ended(today: date) -> Q:
    """Software whose support has ended (002 7-4(1)キ: it may not be used)."""
    return Q(end_of_support__lt=today)


def ends_during_use(today: date) -> Q:
    """Software whose support ends before the system's planned end of use."""
    return Q(end_of_support__gte=today, end_of_support__lt=F("system__planned_until"))


def systems(filters: SystemFilterSet, today: date) -> QuerySet[System]:
    """The systems the filters select, by name, with flagged software counted.

    Raises InvalidFiltersError when a parameter cannot be taken.
    """
    found: QuerySet[System] = filters.result()
    return (
        found.select_related("department", "manager")
        .annotate(
            software_count=Count("software"),
            ended_count=Count("software", filter=Q(software__end_of_support__lt=today)),
            soon_count=Count(
                "software",
                filter=Q(
                    software__end_of_support__gte=today,
                    software__end_of_support__lt=F("planned_until"),
                ),
            ),
        )
        .order_by("name", "pk")
    )


def system(organization: Organization, pk: int) -> System:
    """One system of the organisation, or 404 (also for another organisation's systems)."""
    related = System.objects.select_related("department", "manager", "operator")
    return get_object_or_404(access.scoped(related, organization), pk=pk)


def matching(organization: Organization, text: str, *, limit: int) -> list[System]:
    """Up to `limit` systems whose name contains the text (all of them for ""), by name.

    The request form's chooser; the order is the unique (organisation, name) index's.
    """
    found = access.scoped(System.objects.all(), organization)
    if text:
        found = textsearch.contains(found, text, ("name",), table=System._meta.db_table)
    return list(found.order_by("name")[:limit])


def named(organization: Organization, pk: int) -> System | None:
    """The organisation's system with this id, or None."""
    return access.scoped(System.objects.all(), organization).filter(pk=pk).first()


def software_of(organization: Organization) -> QuerySet[Software]:
    """All software of the organisation's systems."""
    return Software.objects.filter(system__in=access.scoped(System.objects.all(), organization))


def flagged_software(organization: Organization, today: date) -> int:
    """How many software entries are past, or end during use before, their end of support."""
    return software_of(organization).filter(ended(today) | ends_during_use(today)).count()


def departments(organization: Organization) -> QuerySet[Department]:
    """The organisation's departments, by name."""
    return access.scoped(Department.objects.all(), organization).order_by("name")


def people(organization: Organization) -> QuerySet[Person]:
    """The organisation's people, by name."""
    return access.scoped(Person.objects.all(), organization).order_by("name", "pk")


def unsupported_reason(organization: Organization) -> Reason | None:
    """The pack's rule against software past its end of support, if it has one."""
    decision = access.decide(
        organization,
        {"action": "device.install_software", "resource": {"support_ended": True}},
    )
    if decision.effect != Effect.FORBID:
        return None
    return next(r for r in decision.reasons if r.effect == Effect.FORBID)


@dataclass(frozen=True, kw_only=True)
class SoftwareRow:
    """A line of the software table: the entry, its support status and what to say."""

    software: Software
    status: str  # ended, ends_during_use, ok, unknown
    text: str


def software_rows(
    organization: Organization, item: System, today: date
) -> tuple[list[SoftwareRow], Reason | None]:
    """The system's software with support status; and the pack's rule behind 「利用不可」."""
    reason = unsupported_reason(organization)
    ended_text = (
        _("サポート終了（利用不可 %(clause)s）") % {"clause": reason.clause}
        if reason
        else _("サポート終了")
    )
    texts = {
        "ended": ended_text,
        "ends_during_use": _("利用予定期間中にサポート終了"),
        "ok": _("サポート期間内"),
        "unknown": _("サポート終了日が未登録"),
    }
    rows = []
    for software in item.software.all():
        software.system = item  # support_status reads the system's planned end of use
        status = software.support_status(today)
        rows.append(SoftwareRow(software=software, status=status, text=texts[status]))
    return rows, reason


@dataclass(frozen=True, kw_only=True)
class SystemRow:
    """A line of the system list."""

    system: System
    zone: str


def rows(pack: Pack, items: Iterable[System]) -> list[SystemRow]:
    """List lines for systems fetched by `systems` (no further queries)."""
    zones = zone_titles(pack)
    return [SystemRow(system=s, zone=zones.get(s.zone, s.zone)) for s in items]
