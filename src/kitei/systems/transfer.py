"""The 情報システム台帳 as a spreadsheet: import (.xlsx or CSV, checked first) and export.

An .xlsx has two sheets: 「情報システム台帳」 (one system a row) and 「ソフトウェア」 (one
piece of software a row, naming its system). A CSV file holds one of the two: a file
whose headings include ソフトウェア名 is a software list. Columns: `kitei.systems.sheet`.

Decisions, the same as for the information asset register:
- both sheets start with 台帳番号, the row's id (`kitei.core.roundtrip`): a row with one
  updates that system (`update_system`) or software (`update_software`), only the cells
  that differ, one ChangeRecord each; a row without one is added (`register_system`,
  `add_software`); a 台帳番号 not of this organisation's register is a row error; rows
  the file leaves out are left alone;
- a system whose 名称 another system of the register holds, or given twice in the file,
  is a duplicate (names are unique in an organisation); new software is a duplicate when
  the same system, ソフトウェア名 and バージョン come twice in the file or are registered;
- nothing is written unless every row of every sheet is valid; the import then runs the
  services in one transaction;
- people are named by 氏名 or ユーザー名; the network zone and 必要な可用性 by their id or
  title in the organisation's pack; the export writes titles and 氏名 (ユーザー名 when two
  people share the name), so export → edit → import round-trips (into another
  organisation with the 台帳番号 columns emptied).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kitei.core import access, progress, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.core.transfer import run_command
from kitei.people.models import Person
from kitei.policy.model import Pack
from kitei.systems import services
from kitei.systems.models import Software, System
from kitei.systems.sheet import (
    AVAILABILITY,
    DEPARTMENT,
    END_OF_SUPPORT,
    EXTERNAL,
    HEADINGS,
    MANAGER,
    NAME,
    OPERATOR,
    PLANNED_UNTIL,
    REQUIREMENTS,
    SHEET,
    SOFTWARE,
    SOFTWARE_HEADINGS,
    SOFTWARE_SHEET,
    SYSTEM,
    VERSION,
    ZONE,
    Directory,
    Display,
    as_text,
    availability_of,
    export_systems,
    spaceless,
    system_cells,
    yes_no,
    zone_of,
)

__all__ = [
    "HEADINGS", "SHEET", "SOFTWARE_HEADINGS", "SOFTWARE_SHEET", "Directory", "SystemPlan",
    "export_systems", "import_systems", "read_systems",
]  # fmt: skip

# (the system's id, None for a new one; its 情報システム管理者) → may the importer keep it
MayManage = Callable[[int | None, Person | None], bool]
_SYSTEM_FIELDS = {
    NAME: "name", DEPARTMENT: "department", MANAGER: "manager", OPERATOR: "operator",
    ZONE: "zone", EXTERNAL: "is_external_service", AVAILABILITY: "availability",
    REQUIREMENTS: "security_requirements", PLANNED_UNTIL: "planned_until",
}  # fmt: skip
_Row = TypeVar("_Row", System, Software)
_SOFTWARE_FIELDS = {SYSTEM: "system", SOFTWARE: "name", VERSION: "version",
                    END_OF_SUPPORT: "end_of_support"}  # fmt: skip


def _names(*groups: Iterable[str]) -> dict[str, str]:
    return {spaceless(n): n for group in groups for n in group}


@dataclass(frozen=True, kw_only=True)
class SystemEntry:
    """A valid row of the systems sheet: `register_system`'s arguments, or (`pk` set) the
    fields of a registered system that differ (`update_system`'s)."""

    line: int
    fields: dict[str, Any]
    pk: int | None = None


@dataclass(frozen=True, kw_only=True)
class SoftwareEntry:
    """A valid row of the software sheet: new software, or (`pk` set) the changed fields."""

    line: int
    system: str
    name: str
    version: str
    end_of_support: date | None
    pk: int | None = None
    update: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SystemPlan:
    """What a file would add and change (systems, software) and every bad row it has."""

    systems: tuple[SystemEntry, ...] = ()
    software: tuple[SoftwareEntry, ...] = ()
    system_diff: roundtrip.Diff = field(default_factory=roundtrip.Diff)
    software_diff: roundtrip.Diff = field(default_factory=roundtrip.Diff)
    errors: tuple[tabular.RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def diff(self) -> roundtrip.Diff:
        """Both sheets' outcome together."""
        return self.system_diff + self.software_diff

    @property
    def rows(self) -> int:
        """The file's valid rows (added, changed and unchanged)."""
        diff = self.diff
        return diff.added + len(diff.changed) + diff.unchanged

    def summary(self) -> str:
        """What a valid file does, in one Japanese sentence."""
        return _("情報システム: %(systems)s／ソフトウェア: %(software)s") % {
            "systems": self.system_diff.summary(),
            "software": self.software_diff.summary(),
        }


@dataclass
class _Reader:
    """One pass over a file: lookups, what the file names so far, the errors."""

    organization: Organization
    pack: Pack
    directory: Directory
    existing: dict[str, System]
    by_id: dict[int, System]
    may_manage: MayManage | None
    display: Display
    errors: list[tabular.RowError] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    seen_software: dict[tuple[str, str, str], int] = field(default_factory=dict)
    registered_software: dict[tuple[str, str, str], int] = field(default_factory=dict)
    software_by_id: dict[int, Software] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)
    software_ids: dict[int, int] = field(default_factory=dict)
    diffs: dict[str, roundtrip.Diff] = field(default_factory=dict)


def read_systems(
    organization: Organization, data: bytes, *, may_manage: MayManage | None = None
) -> SystemPlan:
    """Check a 情報システム台帳 file against the organisation; writes nothing.

    `may_manage(system_id, manager)` says whether the importing user may keep such a system
    (a new one: id None; may_manage None: anyone, as on the command line).
    """
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    systems = list(access.scoped(System.objects.select_related("manager"), organization))
    directory = Directory.of(organization)
    reader = _Reader(
        organization=organization,
        pack=pack,
        directory=directory,
        existing={s.name: s for s in systems},
        by_id={s.pk: s for s in systems},
        may_manage=may_manage,
        display=Display.of(pack, directory),
    )
    try:
        with tabular.open_tables(data) as tables:
            entries, software = _read_tables(reader, tables)
    except tabular.UnreadableFileError as exc:
        return SystemPlan(errors=(tabular.RowError(line=None, column="", reason=str(exc)),))
    diffs = reader.diffs
    empty = roundtrip.Diff()
    if not reader.errors and (diffs.get(SHEET, empty) + diffs.get(SOFTWARE_SHEET, empty)) == empty:
        reason = _("取り込む行がありません。")
        reader.errors.append(tabular.RowError(line=None, column="", reason=reason))
    return SystemPlan(
        systems=tuple(entries),
        software=tuple(software),
        system_diff=diffs.get(SHEET, empty),
        software_diff=diffs.get(SOFTWARE_SHEET, empty),
        errors=tuple(reader.errors),
    )


def _count(reader: _Reader, kind: str, change: roundtrip.Change | None, *, added: bool) -> None:
    """Count a valid row in its sheet's diff."""
    diff = roundtrip.Diff(
        added=int(added),
        changed=(change,) if change is not None else (),
        unchanged=int(not added and change is None),
    )
    reader.diffs[kind] = reader.diffs.get(kind, roundtrip.Diff()) + diff


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
    registered = Software.objects.filter(system__in=reader.by_id.values()).select_related("system")
    reader.software_by_id = {s.pk: s for s in registered}
    reader.registered_software = {
        (s.system.name, s.name, s.version): s.pk for s in reader.software_by_id.values()
    }
    return entries, list(_read_software(reader, tables, software_sheet))


def _read_systems(reader: _Reader, tables: tabular.Tables, sheet: str) -> Iterator[SystemEntry]:
    columns, rows = tabular.body(
        tables, sheet, known=_names(HEADINGS), required=(NAME, DEPARTMENT), errors=reader.errors
    )
    shown = [h for h in HEADINGS if h in columns and h != roundtrip.ID]
    for line, cells in rows:
        row = tabular.Row(sheet, line, cells, columns, reader.errors)
        pk = roundtrip.row_id(row, reader.by_id, reader.ids) if roundtrip.ID in columns else None
        fields = _system_fields(reader, row, pk)
        if not row.ok:
            continue
        if pk is None:
            _count(reader, SHEET, None, added=True)
            yield SystemEntry(line=line, fields=fields)
            continue
        entry = _system_change(reader, row, pk, fields, shown)
        if entry is not None and row.ok:
            yield entry


def _system_change(
    reader: _Reader, row: tabular.Row, pk: int, fields: dict[str, Any], shown: list[str]
) -> SystemEntry | None:
    """A registered system's row: None when unchanged, else its differing fields."""
    system = reader.by_id[pk]
    after = System(organization=reader.organization, **fields)
    after.department_id = fields["department"].pk
    before_cells = as_text(system_cells(reader.display, system))
    cells = roundtrip.cell_changes(
        before_cells, as_text(system_cells(reader.display, after)), shown
    )
    if not cells:
        _count(reader, SHEET, None, added=False)
        return None
    if reader.may_manage is not None and not reader.may_manage(system.pk, system.manager):
        row.fail(NAME, _("この情報システムを変更する権限がありません。"))
        return None
    changed = {c.column for c in cells}
    change = roundtrip.Change(line=row.line, pk=pk, label=system.name, cells=cells, sheet=row.sheet)
    _count(reader, SHEET, change, added=False)
    update = {key: fields[key] for column, key in _SYSTEM_FIELDS.items() if column in changed}
    return SystemEntry(line=row.line, fields=update, pk=pk)


def _system_fields(reader: _Reader, row: tabular.Row, pk: int | None) -> dict[str, Any]:
    """One systems row as `register_system` arguments; problems are recorded on the row."""
    directory = reader.directory
    name = row.text(NAME, required=True, limit=200)
    fields: dict[str, Any] = {
        "name": name,
        "department": directory.department(row, DEPARTMENT),
        "manager": directory.person(row, MANAGER),
        "operator": directory.person(row, OPERATOR),
        "zone": zone_of(reader.pack, row),
        "is_external_service": yes_no(row, EXTERNAL),
        "availability": availability_of(reader.pack, row),
        "security_requirements": row.text(REQUIREMENTS),
        "planned_until": row.date_value(PLANNED_UNTIL),
    }
    if name:
        first = reader.seen.setdefault(name, row.line)
        holder = reader.existing.get(name)
        if first != row.line:
            row.fail(
                NAME,
                _("「%(name)s」は%(first)d行目と重複しています。") % {"name": name, "first": first},
            )
        elif pk != 0 and holder is not None and holder.pk != pk:
            row.fail(NAME, _("「%(name)s」は既に台帳にあります。") % {"name": name})
    if (
        row.ok
        and pk is None
        and reader.may_manage is not None
        and not reader.may_manage(None, fields["manager"])
    ):
        row.fail(NAME, _("この情報システムを登録する権限がありません。"))
    return fields


def _read_software(reader: _Reader, tables: tabular.Tables, sheet: str) -> Iterator[SoftwareEntry]:
    columns, rows = tabular.body(
        tables,
        sheet,
        known=_names(SOFTWARE_HEADINGS),
        required=(SYSTEM, SOFTWARE),
        errors=reader.errors,
    )
    shown = [h for h in SOFTWARE_HEADINGS if h in columns and h != roundtrip.ID]
    for line, cells in rows:
        row = tabular.Row(sheet, line, cells, columns, reader.errors)
        pk = (
            roundtrip.row_id(row, reader.software_by_id, reader.software_ids)
            if roundtrip.ID in columns
            else None
        )
        entry = SoftwareEntry(
            line=line,
            system=row.text(SYSTEM, required=True),
            name=row.text(SOFTWARE, required=True, limit=200),
            version=row.text(VERSION, limit=64),
            end_of_support=row.date_value(END_OF_SUPPORT),
            pk=pk or None,
        )
        _check_software(reader, row, entry, pk)
        if not row.ok:
            continue
        if pk is None:
            _count(reader, SOFTWARE_SHEET, None, added=True)
            yield entry
            continue
        changed = _software_change(reader, row, entry, shown)
        if changed is not None and row.ok:
            yield changed


def _software_change(
    reader: _Reader, row: tabular.Row, entry: SoftwareEntry, shown: list[str]
) -> SoftwareEntry | None:
    """Registered software's row: None when unchanged, else the fields that differ."""
    assert entry.pk is not None
    software = reader.software_by_id[entry.pk]
    before = {SYSTEM: software.system.name, SOFTWARE: software.name, VERSION: software.version,
              END_OF_SUPPORT: software.end_of_support}  # fmt: skip
    after = {SYSTEM: entry.system, SOFTWARE: entry.name, VERSION: entry.version,
             END_OF_SUPPORT: entry.end_of_support}  # fmt: skip
    if reader.existing.get(entry.system) is software.system:  # named as the register names it
        after[SYSTEM] = software.system.name
    cells = roundtrip.cell_changes(as_text(before), as_text(after), shown)
    if not cells:
        _count(reader, SOFTWARE_SHEET, None, added=False)
        return None
    system = software.system
    if reader.may_manage is not None and not reader.may_manage(system.pk, system.manager):
        row.fail(SYSTEM, _("この情報システムを変更する権限がありません。"))
        return None
    label = f"{software.name} {software.version}".strip()
    change = roundtrip.Change(line=row.line, pk=entry.pk, label=label, cells=cells, sheet=row.sheet)
    _count(reader, SOFTWARE_SHEET, change, added=False)
    changed = {c.column for c in cells}
    update = {key: after[column] for column, key in _SOFTWARE_FIELDS.items() if column in changed}
    return SoftwareEntry(
        line=entry.line, system=entry.system, name=entry.name, version=entry.version,
        end_of_support=entry.end_of_support, pk=entry.pk, update=update,
    )  # fmt: skip


def _check_software(
    reader: _Reader, row: tabular.Row, entry: SoftwareEntry, pk: int | None
) -> None:
    """The system must be in the file or the register; no software twice."""
    if not entry.system or not entry.name or pk == 0:
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
    elif reader.registered_software.get(key, pk) != pk:
        row.fail(SOFTWARE, _("このソフトウェアは既に台帳にあります。"))
    elif (
        pk is None
        and existing is not None
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
    expected: str | None = None,
) -> SystemPlan:
    """Check a file and, when every row is valid, write it all in one transaction.

    `expected`: the fingerprint of the check a person confirmed; when the file now does
    something else (the register changed meanwhile), nothing is written.
    """
    plan = read_systems(organization, data, may_manage=may_manage)
    if plan.ok and expected is not None and plan.diff.fingerprint() != expected:
        error = tabular.RowError(line=None, column="", reason=roundtrip.changed_reason())
        return SystemPlan(errors=(error,))
    if plan.ok:
        progress.writing()
        _write(organization, plan, actor)
    return plan


@transaction.atomic
def _write(organization: Organization, plan: SystemPlan, actor: Actor) -> None:
    """Change and add the plan's systems, then its software, through the services."""
    scoped = access.scoped(System.objects.select_for_update(), organization)
    by_id = scoped.in_bulk([e.pk for e in plan.systems if e.pk is not None])
    for entry in plan.systems:
        if entry.pk is not None:
            services.update_system(_found(by_id, entry.pk), actor=actor, **entry.fields)
        else:
            services.register_system(organization, actor=actor, **entry.fields)
    systems = {s.name: s for s in access.scoped(System.objects.all(), organization)}
    software = Software.objects.select_for_update().filter(system__organization=organization)
    registered = software.in_bulk([e.pk for e in plan.software if e.pk is not None])
    for item in plan.software:
        if item.pk is None:
            services.add_software(
                systems[item.system], actor=actor, name=item.name, version=item.version,
                end_of_support=item.end_of_support,
            )  # fmt: skip
            continue
        update = dict(item.update)
        if "system" in update:
            update["system"] = systems[update["system"]]
        services.update_software(_found(registered, item.pk), actor=actor, **update)


def _found(rows: dict[int, _Row], pk: int) -> _Row:
    """A row checked before the transaction; gone since (never deleted): nothing written."""
    if pk not in rows:
        raise ValidationError(roundtrip.changed_reason())
    return rows[pk]


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
