"""The 情報システム台帳 as a spreadsheet: import (.xlsx or CSV, checked first) and export.

An .xlsx has two sheets: 「情報システム台帳」 (one system a row) and 「ソフトウェア」 (one
piece of software a row, naming its system). A CSV file holds one of the two: a file
whose headings include ソフトウェア名 is a software list.

Decisions, the same as for the information asset register:
- an import only adds: every row is a new system (or new software). A system whose 名称
  is already in the register, or twice in the file, is a duplicate (names are unique in an
  organisation); software is a duplicate when the same system, ソフトウェア名 and バージョン
  come twice in the file or are already registered;
- nothing is written unless every row of every sheet is valid; the import then runs the
  services (`register_system`, `add_software`) in one transaction, each writing its
  ChangeRecord;
- people are named by 氏名 or ユーザー名; the network zone and 必要な可用性 by their id or
  title in the organisation's pack; the export writes titles and 氏名 (ユーザー名 when two
  people share the name), so export → edit → import into another organisation round-trips.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, TextIO

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kitei.core import access, progress, tabular
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.core.transfer import Format, run_command
from kitei.people.models import Department, Person
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems import services
from kitei.systems.models import Software, System

SHEET, SOFTWARE_SHEET = "情報システム台帳", "ソフトウェア"
NAME, DEPARTMENT, MANAGER, OPERATOR = "名称", "所管部署", "情報システム管理者", "情報システム担当者"
ZONE, EXTERNAL, AVAILABILITY = "ネットワーク", "外部サービス", "必要な可用性"
REQUIREMENTS, PLANNED_UNTIL = "セキュリティ要件", "利用予定期間の終了"
HEADINGS = (
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
SOFTWARE_HEADINGS = (SYSTEM, SOFTWARE, VERSION, END_OF_SUPPORT)
YES, NO = "はい", "いいえ"
WIDTHS = (30, 16, 16, 16, 22, 12, 14, 40, 16)
SOFTWARE_WIDTHS = (30, 30, 14, 16)
# (the system's id, None for a new one; its 情報システム管理者) → may the importer keep it
MayManage = Callable[[int | None, Person | None], bool]


def _spaceless(text: str) -> str:
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
            names.setdefault(_spaceless(person.name), []).append(person)
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
        found = self.names.get(_spaceless(text), [])
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
        shared = len(self.names.get(_spaceless(person.name), [])) > 1
        return person.user.username if shared and person.user is not None else person.name


def _names(*groups: Iterable[str]) -> dict[str, str]:
    return {_spaceless(n): n for group in groups for n in group}


def _zone_names(pack: Pack) -> dict[str, str]:
    """Zone id, title or alias → zone id."""
    return {n: z.id for z in pack.network.zones for n in (z.id, z.title, *z.aliases)}


@dataclass(frozen=True, kw_only=True)
class SystemEntry:
    """A valid row of the systems sheet: `register_system`'s arguments."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SoftwareEntry:
    """A valid row of the software sheet."""

    line: int
    system: str
    name: str
    version: str
    end_of_support: date | None


@dataclass(frozen=True, kw_only=True)
class SystemPlan:
    """What a file would add (systems, software) and every bad row it has."""

    systems: tuple[SystemEntry, ...] = ()
    software: tuple[SoftwareEntry, ...] = ()
    errors: tuple[tabular.RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """What a valid file adds, in one Japanese sentence."""
        return _("情報システム %(systems)d 件、ソフトウェア %(software)d 件") % {
            "systems": len(self.systems),
            "software": len(self.software),
        }


@dataclass
class _Reader:
    """One pass over a file: lookups, what the file names so far, the errors."""

    organization: Organization
    pack: Pack
    directory: Directory
    existing: dict[str, System]
    may_manage: MayManage | None
    errors: list[tabular.RowError] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    seen_software: dict[tuple[str, str, str], int] = field(default_factory=dict)
    registered_software: set[tuple[str, str, str]] = field(default_factory=set)


def read_systems(
    organization: Organization, data: bytes, *, may_manage: MayManage | None = None
) -> SystemPlan:
    """Check a 情報システム台帳 file against the organisation; writes nothing.

    `may_manage(system_id, manager)` says whether the importing user may keep such a system
    (a new one: id None; may_manage None: anyone, as on the command line).
    """
    systems = access.scoped(System.objects.select_related("manager"), organization)
    reader = _Reader(
        organization=organization,
        pack=access.engine_for(organization.pack_id, organization.pack_digest).pack,
        directory=Directory.of(organization),
        existing={s.name: s for s in systems},
        may_manage=may_manage,
    )
    try:
        with tabular.open_tables(data) as tables:
            entries, software = _read_tables(reader, tables)
    except tabular.UnreadableFileError as exc:
        return SystemPlan(errors=(tabular.RowError(line=None, column="", reason=str(exc)),))
    if not entries and not software and not reader.errors:
        reason = _("取り込む行がありません。")
        reader.errors.append(tabular.RowError(line=None, column="", reason=reason))
    return SystemPlan(systems=tuple(entries), software=tuple(software), errors=tuple(reader.errors))


def _read_tables(
    reader: _Reader, tables: tabular.Tables
) -> tuple[list[SystemEntry], list[SoftwareEntry]]:
    systems_sheet = tables.pick(SHEET) if tables.is_xlsx else ""
    software_sheet = tables.pick(SOFTWARE_SHEET) if tables.is_xlsx else None
    if not tables.is_xlsx and SOFTWARE in tables.text.split("\n", 1)[0]:
        systems_sheet, software_sheet = None, ""
    if tables.is_xlsx and systems_sheet is None and software_sheet is None:
        systems_sheet = tables.names[0]
    entries = [] if systems_sheet is None else list(_read_systems(reader, tables, systems_sheet))
    if software_sheet is None:
        return entries, []
    systems = access.scoped(System.objects.all(), reader.organization)
    registered = Software.objects.filter(system__in=systems)
    reader.registered_software = set(registered.values_list("system__name", "name", "version"))
    return entries, list(_read_software(reader, tables, software_sheet))


def _read_systems(reader: _Reader, tables: tabular.Tables, sheet: str) -> Iterator[SystemEntry]:
    columns, rows = tabular.body(
        tables, sheet, known=_names(HEADINGS), required=(NAME, DEPARTMENT), errors=reader.errors
    )
    for line, cells in rows:
        row = tabular.Row(sheet, line, cells, columns, reader.errors)
        fields = _system_fields(reader, row)
        if row.ok:
            yield SystemEntry(line=line, fields=fields)


def _system_fields(reader: _Reader, row: tabular.Row) -> dict[str, Any]:
    """One systems row as `register_system` arguments; problems are recorded on the row."""
    directory = reader.directory
    name = row.text(NAME, required=True, limit=200)
    fields: dict[str, Any] = {
        "name": name,
        "department": directory.department(row, DEPARTMENT),
        "manager": directory.person(row, MANAGER),
        "operator": directory.person(row, OPERATOR),
        "zone": _zone(reader.pack, row),
        "is_external_service": _yes_no(row, EXTERNAL),
        "availability": _availability(reader.pack, row),
        "security_requirements": row.text(REQUIREMENTS),
        "planned_until": row.date_value(PLANNED_UNTIL),
    }
    if name:
        first = reader.seen.setdefault(name, row.line)
        if first != row.line:
            row.fail(
                NAME,
                _("「%(name)s」は%(first)d行目と重複しています。") % {"name": name, "first": first},
            )
        elif name in reader.existing:
            row.fail(NAME, _("「%(name)s」は既に台帳にあります。") % {"name": name})
    if row.ok and reader.may_manage is not None and not reader.may_manage(None, fields["manager"]):
        row.fail(NAME, _("この情報システムを登録する権限がありません。"))
    return fields


def _zone(pack: Pack, row: tabular.Row) -> str:
    text = row.text(ZONE)
    if not text:
        return ""
    zones = _zone_names(pack)
    zone = zones.get(text) or zones.get(_spaceless(text))
    if zone is None:
        titles = "・".join(z.title for z in pack.network.zones) or _("なし")
        row.fail(
            ZONE,
            _("ネットワーク「%(name)s」はこの組織のポリシーにありません（%(all)s）。")
            % {"name": text, "all": titles},
        )
        return ""
    return zone


def _availability(pack: Pack, row: tabular.Row) -> str:
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


def _yes_no(row: tabular.Row, column: str) -> bool:
    text = row.text(column)
    if text in ("", NO):
        return False
    if text == YES:
        return True
    row.fail(column, _("「はい」か「いいえ」で入力してください（「%(text)s」）。") % {"text": text})
    return False


def _read_software(reader: _Reader, tables: tabular.Tables, sheet: str) -> Iterator[SoftwareEntry]:
    columns, rows = tabular.body(
        tables,
        sheet,
        known=_names(SOFTWARE_HEADINGS),
        required=(SYSTEM, SOFTWARE),
        errors=reader.errors,
    )
    for line, cells in rows:
        row = tabular.Row(sheet, line, cells, columns, reader.errors)
        entry = SoftwareEntry(
            line=line,
            system=row.text(SYSTEM, required=True),
            name=row.text(SOFTWARE, required=True, limit=200),
            version=row.text(VERSION, limit=64),
            end_of_support=row.date_value(END_OF_SUPPORT),
        )
        _check_software(reader, row, entry)
        if row.ok:
            yield entry


def _check_software(reader: _Reader, row: tabular.Row, entry: SoftwareEntry) -> None:
    """The system must be in the file or the register; no software twice."""
    if not entry.system or not entry.name:
        return
    existing = reader.existing.get(entry.system)
    if entry.system not in reader.seen and existing is None:
        row.fail(
            SYSTEM,
            _("情報システム「%(name)s」は台帳にもこのファイルにもありません。")
            % {"name": entry.system},
        )
        return
    key = (entry.system, entry.name, entry.version)
    first = reader.seen_software.setdefault(key, row.line)
    if first != row.line:
        row.fail(SOFTWARE, _("%(first)d行目と重複しています。") % {"first": first})
    elif key in reader.registered_software:
        row.fail(SOFTWARE, _("このソフトウェアは既に台帳にあります。"))
    elif (
        existing is not None
        and reader.may_manage is not None
        and not reader.may_manage(existing.pk, existing.manager)
    ):
        row.fail(SYSTEM, _("この情報システムを変更する権限がありません。"))


def import_systems(
    organization: Organization,
    data: bytes,
    *,
    actor: Actor,
    may_manage: MayManage | None = None,
) -> SystemPlan:
    """Check a file and, when every row is valid, add it all in one transaction."""
    plan = read_systems(organization, data, may_manage=may_manage)
    if plan.ok:
        progress.writing()
        _write(organization, plan, actor)
    return plan


@transaction.atomic
def _write(organization: Organization, plan: SystemPlan, actor: Actor) -> None:
    """Register the plan's systems and software through the services (all or nothing)."""
    added = {
        e.fields["name"]: services.register_system(organization, actor=actor, **e.fields)
        for e in plan.systems
    }
    wanted = {s.system for s in plan.software} - set(added)
    existing = {
        s.name: s for s in access.scoped(System.objects.all(), organization).filter(name__in=wanted)
    }
    for entry in plan.software:
        services.add_software(
            added.get(entry.system) or existing[entry.system],
            actor=actor,
            name=entry.name,
            version=entry.version,
            end_of_support=entry.end_of_support,
        )


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
    directory = Directory.of(organization)
    systems = access.scoped(System.objects.all() if systems is None else systems, organization)
    software = Software.objects.filter(system__in=systems).select_related("system")
    systems_sheet = tabular.Sheet(
        title=SHEET,
        headings=HEADINGS,
        rows=_system_rows(pack, directory, systems.order_by("name", "pk")),
        count=systems.count(),
        widths=WIDTHS,
    )
    software_sheet = tabular.Sheet(
        title=SOFTWARE_SHEET,
        headings=SOFTWARE_HEADINGS,
        rows=(
            (s.system.name, s.name, s.version, s.end_of_support)
            for s in software.order_by("system__name", "name", "version", "pk").iterator(2000)
        ),
        count=software.count(),
        widths=SOFTWARE_WIDTHS,
    )
    if fmt == "csv":
        return tabular.write_csv(software_sheet if sheet == "software" else systems_sheet)
    return tabular.write_xlsx([systems_sheet, software_sheet])


def _system_rows(pack: Pack, directory: Directory, systems: Any) -> Iterator[list[object]]:
    zones = {z.id: z.title for z in pack.network.zones}
    axis = next((a for a in pack.classification.axes if a.id == "availability"), None)
    levels = {lv.id: lv.title for lv in axis.levels} if axis is not None else {}
    for s in systems.iterator(2000):
        yield [
            s.name,
            directory.departments_by_id[s.department_id].name,
            directory.label_of(s.manager_id),
            directory.label_of(s.operator_id),
            zones.get(s.zone, s.zone),
            YES if s.is_external_service else NO,
            levels.get(s.availability, s.availability),
            s.security_requirements,
            s.planned_until,
        ]


def command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`kitei systems import|export`: 0 when done (or valid in a dry run), 2 listing bad rows."""
    return run_command(
        args,
        check=read_systems,
        write=lambda organization, data, actor: import_systems(organization, data, actor=actor),
        export=lambda organization, fmt: export_systems(organization, fmt=fmt, sheet=args.sheet),
        out=out,
        err=err,
    )
