"""The 情報資産台帳 as a spreadsheet: import (.xlsx or CSV, checked first) and export.

Columns (any order; the heading row is the first non-blank row): 台帳番号, 名称, 説明, 所管部署,
管理責任者, one column per classification axis of the organisation's pack titled as the
pack titles it (機密性, 完全性, 可用性 / 重要性分類), 形態, 保管場所, 関連システム, 保存期間,
公開区分. Required: 名称, 所管部署, 形態 and every axis.

Decisions:
- the export's first column, 台帳番号, is the asset's id (`kitei.core.roundtrip`): a row
  with one updates that asset, only the cells that differ, through `update_asset` (and
  `classify_asset` for the class), each changed asset one ChangeRecord; a row without one
  is a new asset; assets the file leaves out are left alone. A duplicate is the same 名称
  in the same 所管部署, twice in the file or held by another asset of the register (two
  departments may each keep their own 「職員名簿」);
- a level is given by its id or title (「3B」 or 「機密性3B」); 「不明」 in any axis column
  registers the asset as 判断待ち (its other axis cells must be 「不明」 or blank), and a
  pack without a classification scheme registers every asset so, as the asset form does;
- 管理責任者 is a 氏名 or a ユーザー名 of the people register; 関連システム a registered
  system's name;
- nothing is written unless every row is valid; the valid file then goes in one
  transaction: the changes, then the new rows through `bulk_register_assets`, one
  ChangeRecord per asset.
The export writes the same headings, levels as titles and people by 氏名 (ユーザー名 when
two people share the name), so export → edit in Excel → import round-trips; with the
台帳番号 column emptied, into another organisation with the same departments, people and
systems.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kitei.assets import services
from kitei.assets import sheet as columns_of
from kitei.assets.models import Asset, ClassificationStatus, Disclosure
from kitei.assets.queries import live
from kitei.assets.sheet import (
    DEPARTMENT,
    DESCRIPTION,
    DISCLOSURE,
    FORM,
    NAME,
    OWNER,
    RETENTION,
    SHEET,
    STORAGE,
    SYSTEM,
    UNCLEAR,
    VALUES,
    Display,
    export_assets,
    headings,
)
from kitei.core import access, progress, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.core.transfer import run_command
from kitei.people.models import Department
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems.models import System
from kitei.systems.transfer import Directory

__all__ = ["SHEET", "AssetPlan", "export_assets", "headings", "import_assets", "read_assets"]

MayManage = Callable[[Department], bool]


@dataclass(frozen=True, kw_only=True)
class AssetEntry:
    """A valid row: `bulk_register_assets`' arguments for a new asset, or a change.

    A change (`pk` set) carries only the fields that differ: `update` for `update_asset`,
    `classification` (axis ids) for `classify_asset` when a class cell differs.
    """

    line: int
    fields: dict[str, Any]
    pk: int | None = None
    update: dict[str, Any] = field(default_factory=dict)
    classification: dict[str, str] | None = None


@dataclass(frozen=True, kw_only=True)
class AssetPlan:
    """What a file would add and change, and every bad row it has."""

    entries: tuple[AssetEntry, ...] = ()  # new assets
    updates: tuple[AssetEntry, ...] = ()  # registered assets whose cells differ
    diff: roundtrip.Diff = field(default_factory=roundtrip.Diff)
    errors: tuple[tabular.RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        """The file's valid rows (added, changed and unchanged)."""
        return self.diff.added + len(self.diff.changed) + self.diff.unchanged

    def summary(self) -> str:
        """What a valid file does, in one Japanese sentence."""
        return _("情報資産: %(diff)s") % {"diff": self.diff.summary()}


@dataclass
class _Reader:
    """One pass over a file: lookups prefetched once, names seen, the errors."""

    organization: Organization
    pack: Pack
    directory: Directory
    systems: dict[str, System]
    existing: dict[tuple[int, str], int]  # (department, name) of assets in use → id
    may_manage: MayManage | None
    forms: dict[str, str]
    disclosures: dict[str, str]
    display: Display
    columns: dict[str, int] = field(default_factory=dict)
    current: dict[int, _Current] | None = None  # the register, read at the first 台帳番号
    ids: dict[int, int] = field(default_factory=dict)  # 台帳番号 → its line
    added: int = 0
    unchanged: int = 0
    changed: list[roundtrip.Change] = field(default_factory=list)
    errors: list[tabular.RowError] = field(default_factory=list)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    levels: dict[tuple[str, str], str | tabular.Refused] = field(default_factory=dict)
    allowed: dict[int, bool] = field(default_factory=dict)

    def level(self, axis: str, text: str) -> str | tabular.Refused:
        """A level id for a cell (id, title or alias), or why not; once per distinct text."""
        key = (axis, text)
        if key not in self.levels:
            try:
                found = classify.normalise(self.pack, {axis: text}, complete=False)[axis]
                self.levels[key] = found
            except classify.ClassificationError as exc:
                self.levels[key] = tabular.Refused(str(exc))
        return self.levels[key]

    def may(self, department: Department) -> bool:
        """Whether the importing user may register assets of the department (asked once)."""
        if self.may_manage is None:
            return True
        if department.pk not in self.allowed:
            self.allowed[department.pk] = self.may_manage(department)
        return self.allowed[department.pk]


@dataclass(frozen=True, kw_only=True)
class _Current:
    """A registered asset as the file's cells would show it, and what limits its changes."""

    cells: dict[str, str]
    department: int
    copy: bool
    disposed: bool
    unclear: bool


def _known(pack: Pack) -> dict[str, str]:
    """Accepted headings (spaces ignored; axis aliases too) → canonical heading."""
    known = {h: h for h in headings(pack)}
    for axis in pack.classification.axes:
        for alias in (axis.id, *axis.aliases):
            known.setdefault(alias.replace(" ", ""), axis.title)
    return known


def read_assets(
    organization: Organization,
    data: bytes,
    *,
    may_manage: MayManage | None = None,
    max_rows: int | None = None,
) -> AssetPlan:
    """Check a 情報資産台帳 file against the organisation; writes nothing.

    `may_manage(department)` says whether the importing user may register assets of a
    department (None: anyone, as on the command line). Past `max_rows` data rows the
    file is refused as a whole.
    """
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    scoped = access.scoped(Asset.objects.all(), organization)
    directory = Directory.of(organization)
    systems = list(access.scoped(System.objects.all(), organization))
    display = Display.of(organization, pack, directory)
    existing = live(scoped).values_list("department_id", "name", "pk")
    reader = _Reader(
        organization=organization,
        pack=pack,
        directory=directory,
        systems={s.name: s for s in systems},
        existing={(d, n): pk for d, n, pk in existing},
        may_manage=may_manage,
        forms={v: k for k, v in display.forms.items()},
        disclosures={v: k for k, v in display.disclosures.items()},
        display=display,
    )
    try:
        with tabular.open_tables(data) as tables:
            entries = _read_sheet(reader, tables, max_rows)
    except tabular.UnreadableFileError as exc:
        return AssetPlan(errors=(tabular.RowError(line=None, column="", reason=str(exc)),))
    if not entries and not reader.unchanged and not reader.errors:
        reason = _("取り込む行がありません。")
        reader.errors.append(tabular.RowError(line=None, column="", reason=reason))
    diff = roundtrip.Diff(
        added=reader.added, changed=tuple(reader.changed), unchanged=reader.unchanged
    )
    return AssetPlan(
        entries=tuple(e for e in entries if e.pk is None),
        updates=tuple(e for e in entries if e.pk is not None),
        diff=diff,
        errors=tuple(reader.errors),
    )


def _register(reader: _Reader) -> dict[int, _Current]:
    """Every asset of the organisation as the export shows it (read once, when needed)."""
    if reader.current is None:
        assets = access.scoped(Asset.objects.all(), reader.organization)
        rows = assets.values_list("pk", "copy_of_id", "disposed_at", *VALUES)
        reader.current = {
            pk: _Current(
                cells=columns_of.cells(reader.display, values),
                department=values[2],
                copy=copy is not None,
                disposed=disposed is not None,
                unclear=values[5] == ClassificationStatus.UNCLEAR,
            )
            for pk, copy, disposed, *values in rows.iterator(2000)
        }
    return reader.current


def _read_sheet(reader: _Reader, tables: tabular.Tables, max_rows: int | None) -> list[AssetEntry]:
    sheet = tables.pick(SHEET)
    if sheet is None:
        sheet = tables.names[0]
    axes = [a.title for a in reader.pack.classification.axes]
    columns, rows = tabular.body(
        tables,
        sheet,
        known=_known(reader.pack),
        required=(NAME, DEPARTMENT, *axes, FORM),
        errors=reader.errors,
    )
    reader.columns = columns
    entries = []
    for count, (line, cells) in enumerate(rows, 1):
        if max_rows is not None and count > max_rows:
            reason = _(
                "行が多すぎます（画面から取り込めるのは %(max)d 行までです）。"
                "ファイルを分けるか、サーバーで kitei assets import を使ってください。"
            ) % {"max": max_rows}
            reader.errors.insert(0, tabular.RowError(line=None, column="", reason=reason))
            return []
        row = tabular.Row(sheet, line, cells, columns, reader.errors)
        pk = (
            roundtrip.row_id(row, _register(reader), reader.ids)
            if roundtrip.ID in columns
            else None
        )
        fields = _asset_fields(reader, row, pk)
        if not row.ok:
            continue
        if pk is None:
            reader.added += 1
            entries.append(AssetEntry(line=line, fields=fields))
            continue
        entry = _change(reader, row, pk, fields)
        if entry is not None and row.ok:
            entries.append(entry)
    return entries


def _change(
    reader: _Reader, row: tabular.Row, pk: int, fields: dict[str, Any]
) -> AssetEntry | None:
    """A registered asset's row: None when no cell differs (counted unchanged), else the
    change, refused on the row when the asset cannot take it."""
    current = _register(reader)[pk]
    values = (
        fields["name"], fields["description"], fields["department"].pk,
        fields["owner"].pk if fields["owner"] else None, fields["classification"],
        ClassificationStatus.UNCLEAR if fields["unclear"] else ClassificationStatus.DECIDED,
        fields["form"], fields["storage_location"],
        fields["system"].pk if fields["system"] else None, fields["retention"],
        fields["disclosure"],
    )  # fmt: skip
    shown = [h for h in headings(reader.pack) if h in reader.columns and h != roundtrip.ID]
    cells = roundtrip.cell_changes(current.cells, columns_of.cells(reader.display, values), shown)
    if not cells:
        reader.unchanged += 1
        return None
    axes = {a.title for a in reader.pack.classification.axes}
    columns = {c.column for c in cells}
    if current.disposed:
        row.fail(roundtrip.ID, _("廃棄済みの情報資産は変更できません。"))
    if columns & axes:
        if fields["unclear"]:
            row.fail(cells[0].column, _("決定した分類を「不明」に戻すことはできません。"))
        elif current.copy:
            row.fail(
                cells[0].column,
                _("複製の分類は複製元に従います（複製元の分類を変更してください）。"),
            )
    if not reader.may(reader.directory.departments_by_id[current.department]):
        row.fail(DEPARTMENT, _("この部署の情報資産を変更する権限がありません。"))
    update = {key: fields[key] for column, key in _FIELDS.items() if column in columns}
    label = str(current.cells[NAME])
    reader.changed.append(
        roundtrip.Change(line=row.line, pk=pk, label=label, cells=cells, sheet=row.sheet)
    )
    return AssetEntry(
        line=row.line,
        fields=fields,
        pk=pk,
        update=update,
        classification=fields["classification"] if columns & axes else None,
    )


_FIELDS = {
    NAME: "name", DESCRIPTION: "description", DEPARTMENT: "department", OWNER: "owner",
    FORM: "form", STORAGE: "storage_location", SYSTEM: "system", RETENTION: "retention",
    DISCLOSURE: "disclosure",
}  # fmt: skip


def _asset_fields(reader: _Reader, row: tabular.Row, pk: int | None) -> dict[str, Any]:
    """One row as `bulk_register_assets` arguments; problems are recorded on the row."""
    name = row.text(NAME, required=True, limit=200)
    department = reader.directory.department(row, DEPARTMENT)
    classification, unclear = _classification(reader, row)
    fields: dict[str, Any] = {
        "name": name,
        "description": row.text(DESCRIPTION),
        "department": department,
        "owner": reader.directory.person(row, OWNER),
        "form": _choice(row, FORM, reader.forms, required=True),
        "storage_location": row.text(STORAGE, limit=200),
        "system": _system(reader, row),
        "retention": row.text(RETENTION, limit=64),
        "disclosure": _choice(row, DISCLOSURE, reader.disclosures) or Disclosure.UNDECIDED,
    }
    fields.update(classification={} if unclear else classification, unclear=unclear)
    if department is None or not name:
        return fields
    first = reader.seen.setdefault((department.name, name), row.line)
    if first != row.line:
        row.fail(
            NAME,
            _("「%(name)s」（%(department)s）は%(first)d行目と重複しています。")
            % {"name": name, "department": department.name, "first": first},
        )
    elif pk != 0 and reader.existing.get((department.pk, name), pk) != pk:
        row.fail(
            NAME,
            _("「%(name)s」は%(department)sの情報資産として既に台帳にあります。")
            % {"name": name, "department": department.name},
        )
    if not reader.may(department) and (pk is None or _moved(reader, pk, department)):
        row.fail(DEPARTMENT, _("この部署の情報資産を登録する権限がありません。"))
    return fields


def _moved(reader: _Reader, pk: int, department: Department) -> bool:
    """Whether a registered asset's row names another 所管部署 than the register's."""
    current = _register(reader).get(pk)
    return current is not None and current.department != department.pk


def _classification(reader: _Reader, row: tabular.Row) -> tuple[dict[str, str], bool]:
    """The class on every axis (ids), or unclear (判断待ち); problems recorded on the row."""
    axes = reader.pack.classification.axes
    if not axes:
        return {}, True  # no scheme in the seed: the class waits, as on the asset form
    cells = {axis.id: (axis.title, row.text(axis.title)) for axis in axes}
    if any(text == UNCLEAR for _title, text in cells.values()):
        for title, text in cells.values():
            if text not in ("", UNCLEAR):
                row.fail(
                    title,
                    _("分類が不明な資産は、ほかの分類も「不明」か空欄にしてください。"),
                )
        return {}, True
    result = {}
    for axis, (title, text) in cells.items():
        if not text:
            reason = _("%(axis)sの区分がありません（分からなければ「不明」と入力してください）。")
            row.fail(title, reason % {"axis": title})
            continue
        level = reader.level(axis, text)
        if isinstance(level, tabular.Refused):
            row.fail(title, level.reason)
        else:
            result[axis] = level
    return result, False


def _choice(
    row: tabular.Row, column: str, titles: dict[str, str], *, required: bool = False
) -> str:
    """A choice given by its Japanese title (or its value)."""
    text = row.text(column, required=required)
    if not text:
        return ""
    value = titles.get(text) or (text if text in titles.values() else None)
    if value is None:
        row.fail(
            column,
            _("「%(text)s」は使えません（%(all)s）。") % {"text": text, "all": "・".join(titles)},
        )
        return ""
    return value


def _system(reader: _Reader, row: tabular.Row) -> System | None:
    text = row.text(SYSTEM)
    if not text:
        return None
    system = reader.systems.get(text)
    if system is None:
        row.fail(SYSTEM, _("情報システム「%(name)s」は台帳にありません。") % {"name": text})
    return system


def import_assets(
    organization: Organization,
    data: bytes,
    *,
    actor: Actor,
    may_manage: MayManage | None = None,
    max_rows: int | None = None,
    expected: str | None = None,
) -> AssetPlan:
    """Check a file and, when every row is valid, write it all in one transaction.

    Changed assets go through `update_asset` (the differing fields) and `classify_asset`
    (a differing class), new ones through `bulk_register_assets`. `expected`: the
    fingerprint of the check a person confirmed; when the file now does something else
    (the register changed meanwhile), nothing is written. The check runs before the
    transaction so a large file does not hold the database's write lock while it is read.
    """
    plan = read_assets(organization, data, may_manage=may_manage, max_rows=max_rows)
    if plan.ok and expected is not None and plan.diff.fingerprint() != expected:
        error = tabular.RowError(line=None, column="", reason=roundtrip.changed_reason())
        return AssetPlan(errors=(error,))
    if plan.ok:
        progress.writing()
        _write(organization, plan, actor)
    return plan


@transaction.atomic
def _write(organization: Organization, plan: AssetPlan, actor: Actor) -> None:
    """The plan's changes, then its new assets (all or nothing)."""
    scoped = access.scoped(
        Asset.objects.select_related("department", "owner", "system"), organization
    )
    assets = scoped.select_for_update(of=("self",)).in_bulk([e.pk for e in plan.updates])
    for entry in plan.updates:
        asset = assets[entry.pk] if entry.pk is not None else None
        if asset is None:  # deleted since the check: assets are never deleted
            raise ValidationError(roundtrip.changed_reason())
        if entry.update:
            services.update_asset(asset, actor=actor, **entry.update)
        if entry.classification is not None:
            services.classify_asset(asset, actor=actor, classification=entry.classification)
    if plan.entries:
        services.bulk_register_assets(
            organization, actor=actor, rows=[e.fields for e in plan.entries]
        )


def command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`kitei assets import|export`: 0 when done (or valid in a dry run), 2 listing bad rows."""
    return run_command(
        args,
        check=read_assets,
        write=lambda organization, data, actor: import_assets(organization, data, actor=actor),
        export=lambda organization, fmt: export_assets(organization, fmt=fmt),
        out=out,
        err=err,
    )
