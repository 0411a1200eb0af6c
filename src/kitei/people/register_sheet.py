"""The 職員名簿 as the import reads it: its export, and a registered person's cells.

The export's columns are the import's (`kitei.people.csv_import.HEADINGS`) after 台帳番号,
the person's id (`kitei.core.roundtrip`): 役割 lists the titles of the roles held today
(「・」 between them), 対象システム the systems of the system-scoped ones. A row with a
台帳番号 changes that person's 氏名, 所属, 役職, メールアドレス and 組織管理者 through
`update_person`; ユーザー名, 役割 and 対象システム of a registered person are changed on
the person's page (accounts and roles have their own audited steps, with periods and
deputies a cell cannot say), so a row that changes them is refused.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from kitei.core import access, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.transfer import Format
from kitei.people import queries
from kitei.people.models import Person, RoleAssignment

NAME, USERNAME, DEPARTMENT, POSITION, EMAIL, ROLES, SYSTEM, ADMIN = (
    "氏名",
    "ユーザー名",
    "所属",
    "役職",
    "メールアドレス",
    "役割",
    "対象システム",
    "組織管理者",
)
HEADINGS = (NAME, USERNAME, DEPARTMENT, POSITION, EMAIL, ROLES, SYSTEM, ADMIN)
SHEET = "職員名簿"
YES, NO = "はい", "いいえ"
WIDTHS = (10, 16, 16, 16, 16, 26, 30, 24, 10)
# Cells a row may change (the rest are changed on the person's page) → update_person's names.
UPDATABLE = {
    NAME: "name",
    DEPARTMENT: "department",
    POSITION: "position",
    EMAIL: "email",
    ADMIN: "is_org_admin",
}


@dataclass(frozen=True, kw_only=True)
class Registered:
    """A person of the register as the export shows them."""

    pk: int
    cells: dict[str, str]


def registered(
    organization: Organization, on: datetime.date | None = None
) -> dict[int, Registered]:
    """Every person of the organisation by id, with their cells (three queries)."""
    day = on or timezone.localdate()
    titles = queries.role_titles(organization)
    people = access.scoped(Person.objects.select_related("user", "department"), organization)
    held: dict[int, tuple[list[str], list[str]]] = {}
    assignments = (
        access.scoped(RoleAssignment.objects.select_related("system"), organization)
        .filter(queries.valid_on(day))
        .order_by("person_id", "pk")
    )
    for item in assignments:
        roles, systems = held.setdefault(item.person_id, ([], []))
        title = titles.get(item.role_id, item.role_id)
        if title not in roles:
            roles.append(title)
        if item.system is not None and item.system.name not in systems:
            systems.append(item.system.name)
    result = {}
    for person in people.order_by("department__name", "name", "pk"):
        roles, systems = held.get(person.pk, ([], []))
        result[person.pk] = Registered(
            pk=person.pk,
            cells={
                NAME: person.name,
                USERNAME: person.user.username if person.user is not None else "",
                DEPARTMENT: person.department.name if person.department is not None else "",
                POSITION: person.position,
                EMAIL: person.email,
                ROLES: "・".join(roles),
                SYSTEM: "・".join(systems),
                ADMIN: YES if person.is_org_admin else NO,
            },
        )
    return result


def export_people(organization: Organization, *, fmt: Format) -> bytes:
    """The 職員名簿 in the import's format (.xlsx or UTF-8 CSV), 台帳番号 first."""
    people = registered(organization)
    sheet = tabular.Sheet(
        title=SHEET,
        headings=(roundtrip.ID, *HEADINGS),
        rows=([p.pk, *p.cells.values()] for p in people.values()),
        count=len(people),
        widths=WIDTHS,
    )
    return tabular.write_csv(sheet) if fmt == "csv" else tabular.write_xlsx([sheet])
