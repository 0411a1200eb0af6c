"""The 情報システム台帳's sheets, the names a spreadsheet uses, and the export.

Both sheets start with 台帳番号 (the row's id, `kitei.core.roundtrip`): 「情報システム台帳」
(one system a row) and 「ソフトウェア」 (one piece of software a row, naming its system).
The import compares a registered row by the texts `system_cells` and `software_cells` give,
which are the export's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kitei.core import access, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.transfer import Format
from kitei.people.models import Department, Person
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems.models import Software, System

SHEET, SOFTWARE_SHEET = "情報システム台帳", "ソフトウェア"
NAME, DEPARTMENT, MANAGER, OPERATOR = "名称", "所管部署", "情報システム管理者", "情報システム担当者"
ZONE, EXTERNAL, AVAILABILITY = "ネットワーク", "外部サービス", "必要な可用性"
REQUIREMENTS, PLANNED_UNTIL = "セキュリティ要件", "利用予定期間の終了"
HEADINGS = (
    roundtrip.ID,
    NAME,
    DEPARTMENT,
    MANAGER,
    OPERATOR,
    ZONE,
    EXTERNAL,
    AVAILABILITY,
    REQUIREMENTS,
    PLANNED_UNTIL,
)
SYSTEM, SOFTWARE, VERSION, END_OF_SUPPORT = (
    "システム名",
    "ソフトウェア名",
    "バージョン",
    "サポート終了日",
)
SOFTWARE_HEADINGS = (roundtrip.ID, SYSTEM, SOFTWARE, VERSION, END_OF_SUPPORT)
YES, NO = "はい", "いいえ"
WIDTHS = (10, 30, 16, 16, 16, 22, 12, 14, 40, 16)
SOFTWARE_WIDTHS = (10, 30, 30, 14, 16)


def spaceless(text: str) -> str:
    return text.replace("\u3000", "").replace(" ", "")


@dataclass(frozen=True)
class Directory:
    """The organisation's departments and people, by the names a spreadsheet uses."""

    departments: dict[str, Department]
    usernames: dict[str, Person]
    names: dict[str, list[Person]]
    departments_by_id: dict[int, Department]
    people_by_id: dict[int, Person]

    @classmethod
    def of(cls, organization: Organization) -> Directory:
        """Every department and person of the organisation (two queries)."""
        departments = list(access.scoped(Department.objects.all(), organization))
        people = list(access.scoped(Person.objects.select_related("user"), organization))
        names: dict[str, list[Person]] = {}
        for person in people:
            names.setdefault(spaceless(person.name), []).append(person)
        return cls(
            departments={d.name: d for d in departments},
            usernames={p.user.username: p for p in people if p.user is not None},
            names=names,
            departments_by_id={d.pk: d for d in departments},
            people_by_id={p.pk: p for p in people},
        )

    def department(self, row: tabular.Row, column: str) -> Department | None:
        """The department a required cell names; an unknown one is recorded."""
        name = row.text(column, required=True)
        found = self.departments.get(name)
        if name and found is None:
            row.fail(column, _("部署「%(name)s」はありません。") % {"name": name})
        return found

    def person(self, row: tabular.Row, column: str) -> Person | None:
        """The person a cell names by ユーザー名 or 氏名 (spaces ignored); None when blank."""
        text = row.text(column)
        if not text:
            return None
        if text in self.usernames:
            return self.usernames[text]
        found = self.names.get(spaceless(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            row.fail(
                column,
                _("「%(name)s」という職員が複数います。ユーザー名で入力してください。")
                % {"name": text},
            )
        else:
            row.fail(
                column,
                _("職員「%(name)s」は職員名簿にいません（氏名かユーザー名で入力してください）。")
                % {"name": text},
            )
        return None

    def label_of(self, person_id: int | None) -> str:
        """How the export names a person: 氏名, or ユーザー名 when the 氏名 is shared."""
        person = self.people_by_id.get(person_id) if person_id is not None else None
        if person is None:
            return ""
        shared = len(self.names.get(spaceless(person.name), [])) > 1
        return person.user.username if shared and person.user is not None else person.name


def export_systems(
    organization: Organization,
    *,
    fmt: Format,
    sheet: Literal["systems", "software"] = "systems",
    systems: QuerySet[System] | None = None,
) -> bytes:
    """The register in the import's format: .xlsx with both sheets, or one sheet as CSV.

    `systems`: the systems to write, with their software (a SystemFilterSet's result);
    the whole register if None.
    """
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    display = Display.of(pack, Directory.of(organization))
    systems = access.scoped(System.objects.all() if systems is None else systems, organization)
    software = Software.objects.filter(system__in=systems).select_related("system")
    systems_sheet = tabular.Sheet(
        title=SHEET,
        headings=HEADINGS,
        rows=(
            [s.pk, *system_cells(display, s).values()]
            for s in systems.order_by("name", "pk").iterator(2000)
        ),
        count=systems.count(),
        widths=WIDTHS,
    )
    software_sheet = tabular.Sheet(
        title=SOFTWARE_SHEET,
        headings=SOFTWARE_HEADINGS,
        rows=(
            (s.pk, s.system.name, s.name, s.version, s.end_of_support)
            for s in software.order_by("system__name", "name", "version", "pk").iterator(2000)
        ),
        count=software.count(),
        widths=SOFTWARE_WIDTHS,
    )
    if fmt == "csv":
        return tabular.write_csv(software_sheet if sheet == "software" else systems_sheet)
    return tabular.write_xlsx([systems_sheet, software_sheet])


@dataclass(frozen=True)
class Display:
    """What turns a system's stored values into the export's texts."""

    directory: Directory
    zones: dict[str, str]
    levels: dict[str, str]

    @classmethod
    def of(cls, pack: Pack, directory: Directory) -> Display:
        """The pack's zone and availability titles, by id."""
        axis = next((a for a in pack.classification.axes if a.id == "availability"), None)
        return cls(
            directory=directory,
            zones={z.id: z.title for z in pack.network.zones},
            levels={lv.id: lv.title for lv in axis.levels} if axis is not None else {},
        )


def system_cells(display: Display, s: System) -> dict[str, Any]:
    """A system's cells as the export writes them (台帳番号 aside)."""
    return {
        NAME: s.name,
        DEPARTMENT: display.directory.departments_by_id[s.department_id].name,
        MANAGER: display.directory.label_of(s.manager_id),
        OPERATOR: display.directory.label_of(s.operator_id),
        ZONE: display.zones.get(s.zone, s.zone),
        EXTERNAL: YES if s.is_external_service else NO,
        AVAILABILITY: display.levels.get(s.availability, s.availability),
        REQUIREMENTS: s.security_requirements,
        PLANNED_UNTIL: s.planned_until,
    }


def as_text(cells: dict[str, Any]) -> dict[str, str]:
    """Cells as the texts compared (a date as 2030-03-31, None as blank)."""
    return {
        k: v.isoformat() if isinstance(v, date) else "" if v is None else str(v)
        for k, v in cells.items()
    }


def _zone_names(pack: Pack) -> dict[str, str]:
    """Zone id, title or alias → zone id."""
    return {n: z.id for z in pack.network.zones for n in (z.id, z.title, *z.aliases)}


def zone_of(pack: Pack, row: tabular.Row) -> str:
    """The network zone id a cell names (id, title or alias); "" when blank or unknown."""
    text = row.text(ZONE)
    if not text:
        return ""
    zones = _zone_names(pack)
    zone = zones.get(text) or zones.get(spaceless(text))
    if zone is None:
        titles = "・".join(z.title for z in pack.network.zones) or _("なし")
        row.fail(
            ZONE,
            _("ネットワーク「%(name)s」はこの組織のポリシーにありません（%(all)s）。")
            % {"name": text, "all": titles},
        )
        return ""
    return zone


def availability_of(pack: Pack, row: tabular.Row) -> str:
    """The 必要な可用性 level id a cell names; "" when blank or not in the pack."""
    text = row.text(AVAILABILITY)
    if not text:
        return ""
    if not any(a.id == "availability" for a in pack.classification.axes):
        row.fail(AVAILABILITY, _("この組織のポリシーには可用性の分類がありません。"))
        return ""
    try:
        return classify.normalise(pack, {"availability": text}, complete=False)["availability"]
    except classify.ClassificationError as exc:
        row.fail(AVAILABILITY, str(exc))
        return ""


def yes_no(row: tabular.Row, column: str) -> bool:
    """A はい / いいえ cell (blank: いいえ)."""
    text = row.text(column)
    if text in ("", NO):
        return False
    if text == YES:
        return True
    row.fail(column, _("「はい」か「いいえ」で入力してください（「%(text)s」）。") % {"text": text})
    return False
