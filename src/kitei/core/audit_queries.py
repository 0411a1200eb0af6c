"""Reads of the audit trail for people: filters, pages cut by the index, readable entries.

The trail may hold a million records per organisation, so pages are cut by `seq`
(keyset paging: 「古い記録」 continues below the last number shown, 「新しい記録」 above
the first) and nothing counts the filtered set. Every filter the page offers is served by
an index of ChangeRecord that ends in `seq` (migration 0008). Reading the trail is not a
change: nothing here writes a ChangeRecord.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, audit, audit_display
from kitei.core.models import ChangeRecord, Organization

PAGE_SIZE = 50


@dataclass(frozen=True, kw_only=True)
class AuditFilters:
    """What the auditor asked for; empty values filter nothing. Dates are local, inclusive."""

    action: str = ""
    actor: str = ""  # the name the trail keeps: a login name, or an operator's name
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any((self.action, self.actor, self.object_type, self.object_id)) or bool(
            self.date_from or self.date_to
        )


def _start_of(day: date) -> datetime:
    """The first instant of a local calendar day, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


def records(organization: Organization | None, filters: AuditFilters) -> QuerySet[ChangeRecord]:
    """The organisation's records that match the filters (unordered)."""
    found = access.scoped(ChangeRecord.objects.all(), organization)
    if filters.action:
        found = found.filter(action=filters.action)
    if filters.actor:
        found = found.filter(actor_name=filters.actor)
    if filters.object_type:
        found = found.filter(object_type=filters.object_type)
        if filters.object_id:
            found = found.filter(object_id=filters.object_id)
    if filters.date_from or filters.date_to:
        found = _period(found, organization, filters.date_from, filters.date_to)
    return found


def _period(
    found: QuerySet[ChangeRecord],
    organization: Organization | None,
    start: date | None,
    end: date | None,
) -> QuerySet[ChangeRecord]:
    """The records of a period of local days, also bounded by the period's record numbers.

    The bounds (the lowest and highest number of a record in the period, read from the
    index (organization, at, seq) alone) change nothing about which records match; they
    let the database read a page from a number index instead of sorting the whole period.
    """
    times: dict[str, datetime] = {}
    if start:
        times["at__gte"] = _start_of(start)
    if end:
        times["at__lt"] = _start_of(end + timedelta(days=1))
    span = (
        access.scoped(ChangeRecord.objects.all(), organization)
        .filter(**times)
        .aggregate(low=Min("seq"), high=Max("seq"))
    )
    if span["low"] is None:
        return found.none()
    return found.filter(seq__gte=span["low"], seq__lte=span["high"], **times)


@dataclass(frozen=True, kw_only=True)
class Window:
    """One page of records, newest first, and where the neighbouring pages start."""

    records: list[ChangeRecord]
    newer: int | None  # `after=` for the page of newer records, None when this is the newest
    older: int | None  # `before=` for the page of older records, None when this is the oldest

    @property
    def first_seq(self) -> int | None:
        """The number of the newest record shown."""
        return self.records[0].seq if self.records else None

    @property
    def last_seq(self) -> int | None:
        """The number of the oldest record shown."""
        return self.records[-1].seq if self.records else None


def window(
    found: QuerySet[ChangeRecord],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> Window:
    """The page below `before`, above `after`, or the newest; reads at most size + 1 rows."""
    if after is not None:
        rows = list(found.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        more_older = found.filter(seq__lte=after).exists()
    else:
        if before is not None:
            found_below = found.filter(seq__lt=before)
            more_newer = found.filter(seq__gte=before).exists()
        else:
            found_below, more_newer = found, False
        rows = list(found_below.order_by("-seq")[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
    return Window(
        records=rows,
        newer=rows[0].seq if rows and more_newer else None,
        older=rows[-1].seq if rows and more_older else None,
    )


# --- who: the people of the organisation and the operators in its trail ------------------


def actor_choices(organization: Organization) -> list[tuple[str, str]]:
    """The page's person filter: members with an account (by name), then the other names.

    Values are what the trail keeps (`actor_name`): the login name of a person, the name
    of an operator (a command's OS user, the demo builder). The other names are those in
    the trail that no member of the organisation holds now.
    """
    names = member_names(organization)
    members = sorted(names.items(), key=lambda item: (item[1], item[0]))
    choices = [(username, f"{name}（{username}）") for username, name in members]
    known = {username for username, _label in choices}
    others = [n for n in actor_names(organization) if n not in known]
    accounts = set(
        get_user_model().objects.filter(username__in=others).values_list("username", flat=True)
    )
    for name in others:
        what = _("以前の職員") if name in accounts else _("コマンド・システム")
        choices.append((name, f"{name}（{what}）"))
    return choices


def actor_names(organization: Organization) -> list[str]:
    """Every distinct `actor_name` of the organisation's trail, in order.

    A loose index scan: one seek of the index (organization, actor_name, seq) per name,
    so a million records by a few hundred names cost a few hundred seeks, not a scan.
    """
    table = connection.ops.quote_name(ChangeRecord._meta.db_table)
    sql = f"""
        WITH RECURSIVE names(name) AS (
            SELECT MIN(actor_name) FROM {table} WHERE organization_id = %s
            UNION ALL
            SELECT (SELECT MIN(actor_name) FROM {table}
                    WHERE organization_id = %s AND actor_name > names.name)
            FROM names WHERE names.name IS NOT NULL
        )
        SELECT name FROM names WHERE name IS NOT NULL
    """  # the table name is the model's own; the values go as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization.pk, organization.pk])
        return [row[0] for row in cursor.fetchall()]


def member_names(
    organization: Organization, usernames: Iterable[str] | None = None
) -> dict[str, str]:
    """Login name → the person's name in this organisation, for its members with an account.

    A person's name is the organisation's own (an account may be a member of several,
    each with its Person); `usernames` narrows the question to those logins.
    """
    query = get_user_model().objects.filter(persons__organization=organization)
    if usernames is not None:
        query = query.filter(username__in=set(usernames))
    return dict(query.values_list("username", "persons__name"))


# --- what: the object, its page and the changes ---------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One record as a person reads it."""

    record: ChangeRecord
    action: str
    actor: str
    actor_login: str  # the login or operator name, shown beside a person's name
    is_operator: bool
    object_type: str
    object_label: str
    object_name: str
    object_url: str | None
    changes: list[audit_display.FieldChange]

    @property
    def created(self) -> bool:
        """Whether the record has no 'before' (the object was created or first recorded)."""
        return not self.record.before

    @property
    def changed(self) -> list[audit_display.FieldChange]:
        """The keys whose value changed (all of them for a creation, but the empty ones)."""
        if self.created:
            return [c for c in self.changes if c.after != audit_display.EMPTY]
        return [c for c in self.changes if c.changed]

    @property
    def unchanged(self) -> list[audit_display.FieldChange]:
        """The keys that stayed as they were."""
        if self.created:
            return []
        return [c for c in self.changes if not c.changed]


def entries(
    organization: Organization,
    rows: Sequence[ChangeRecord],
    *,
    viewer: Any,
    links: bool = True,
) -> list[Entry]:
    """The records in words: actor names, object names and links the viewer may follow.

    `links=False` (the export) leaves the links out and asks no permission per object.
    """
    objects = _objects(organization, rows)
    names = member_names(organization, {r.actor_name for r in rows if r.actor_id is not None})
    terms: dict[str, audit_display.Terms] = {}
    pages = _Links(viewer if links else None)
    result = []
    for record in rows:
        kind = audit_display.kind_of(record.object_type)
        if kind is not None and kind.terms is not None and record.object_type not in terms:
            terms[record.object_type] = kind.terms(organization)
        obj = objects.get((record.object_type, record.object_id))
        result.append(
            Entry(
                record=record,
                action=audit.label(record.action),
                actor=names.get(record.actor_name, record.actor_name),
                actor_login=record.actor_name,
                is_operator=record.actor_id is None,
                object_type=record.object_type,
                object_label=audit_display.type_label(record.object_type)
                if record.object_type
                else "",
                object_name=_object_name(record, kind, obj),
                object_url=pages.url(kind, obj),
                changes=audit_display.changes(
                    record.before,
                    record.after,
                    model=audit_display.model_of(record.object_type),
                    terms=terms.get(record.object_type, audit_display.NO_TERMS),
                ),
            )
        )
    return result


def _objects(
    organization: Organization, rows: Iterable[ChangeRecord]
) -> dict[tuple[str, str], Any]:
    """The recorded objects that still exist in the organisation: one query per type."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for record in rows:
        if record.object_type and record.object_id:
            wanted[record.object_type].add(record.object_id)
    found: dict[tuple[str, str], Any] = {}
    for object_type, ids in wanted.items():
        model = audit_display.model_of(object_type)
        if model is None:
            continue
        keys = [int(i) for i in ids if i.isdigit()]
        query: QuerySet[Any]
        if model is Organization:
            query = Organization.objects.filter(pk=organization.pk)
        elif any(f.name == "organization" for f in model._meta.get_fields()):
            query = model._default_manager.filter(organization=organization)
        else:
            continue  # not tenant data: never looked up across organisations
        kind = audit_display.kind_of(object_type)
        if kind is not None and kind.related:
            query = query.select_related(*kind.related)
        for obj in query.filter(pk__in=keys):
            found[(object_type, str(obj.pk))] = obj
    return found


def _object_name(record: ChangeRecord, kind: audit_display.ObjectKind | None, obj: Any) -> str:
    """The object's name now, else the name its snapshot kept, else its number."""
    if obj is not None:
        return kind.name(obj) if kind is not None else str(obj)
    for text in (record.after, record.before):
        kept = audit_display.snapshot(text) or {}
        if isinstance(kept.get("name"), str) and kept["name"]:
            return str(kept["name"])
    return f"#{record.object_id}" if record.object_id else ""


class _Links:
    """The object pages the viewer may open; each permission asked once per object."""

    def __init__(self, viewer: Any) -> None:
        self.viewer = viewer
        self.asked: dict[tuple[str, str, Any], bool] = {}

    def url(self, kind: audit_display.ObjectKind | None, obj: Any) -> str | None:
        if self.viewer is None or kind is None or kind.url is None or obj is None:
            return None
        key = (kind.read, obj._meta.label_lower, obj.pk)
        if key not in self.asked:
            self.asked[key] = access.check(self.viewer, kind.read, obj).allowed
        return kind.url(obj) if self.asked[key] else None
