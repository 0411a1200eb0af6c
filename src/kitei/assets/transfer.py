"""The 情報資産台帳 as a spreadsheet: import (.xlsx or CSV, checked first) and export.

Columns (any order; the heading row is the first non-blank row): 名称, 説明, 所管部署,
管理責任者, one column per classification axis of the organisation's pack titled as the
pack titles it (機密性, 完全性, 可用性 / 重要性分類), 形態, 保管場所, 関連システム, 保存期間,
公開区分. Required: 名称, 所管部署, 形態 and every axis.

Decisions:
- an import only adds: every row becomes a new asset. A duplicate is the same 名称 in
  the same 所管部署, twice in the file or already in the register (two departments may
  each keep their own 「職員名簿」). To change registered assets, use their pages;
- a level is given by its id or title (「3B」 or 「機密性3B」); 「不明」 in any axis column
  registers the asset as 判断待ち (its other axis cells must be 「不明」 or blank), and a
  pack without a classification scheme registers every asset so, as the asset form does;
- 管理責任者 is a 氏名 or a ユーザー名 of the people register; 関連システム a registered
  system's name;
- nothing is written unless every row is valid; the valid file then goes in one
  transaction through `bulk_register_assets`, one ChangeRecord per asset.
The export writes the same headings, levels as titles and people by 氏名 (ユーザー名 when
two people share the name), so export → edit in Excel → import round-trips into another
organisation with the same departments, people and systems.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from kitei.assets import services
from kitei.assets.models import Asset, AssetForm, ClassificationStatus, Disclosure
from kitei.assets.queries import live
from kitei.core import access, progress, tabular
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.core.transfer import Format, run_command
from kitei.people.models import Department
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems.models import System
from kitei.systems.transfer import Directory

SHEET = "情報資産台帳"
NAME, DESCRIPTION, DEPARTMENT, OWNER = "名称", "説明", "所管部署", "管理責任者"
FORM, STORAGE, SYSTEM = "形態", "保管場所", "関連システム"
RETENTION, DISCLOSURE = "保存期間", "公開区分"
UNCLEAR = "不明"
MayManage = Callable[[Department], bool]


def headings(pack: Pack) -> list[str]:
    """The columns of the register for an organisation's pack, in the export's order."""
    axes = [axis.title for axis in pack.classification.axes]
    return [
        NAME,
        DESCRIPTION,
        DEPARTMENT,
        OWNER,
        *axes,
        FORM,
        STORAGE,
        SYSTEM,
        RETENTION,
        DISCLOSURE,
    ]


def _widths(pack: Pack) -> list[int]:
    return [30, 30, 16, 14, *(12 for _a in pack.classification.axes), 12, 16, 22, 10, 10]


def _titles(choices: Any) -> dict[str, str]:
    """Value → Japanese title of a TextChoices (the file format is Japanese in any locale)."""
    with translation.override("ja"):
        return {value: str(title) for value, title in choices.choices}


@dataclass(frozen=True, kw_only=True)
class AssetEntry:
    """A valid row: `bulk_register_assets`' arguments for one asset."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class AssetPlan:
    """What a file would add and every bad row it has."""

    entries: tuple[AssetEntry, ...] = ()
    errors: tuple[tabular.RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """What a valid file adds, in one Japanese sentence."""
        return _("情報資産 %(count)d 件") % {"count": len(self.entries)}


@dataclass
class _Reader:
    """One pass over a file: lookups prefetched once, names seen, the errors."""

    pack: Pack
    directory: Directory
    systems: dict[str, System]
    existing: set[tuple[int, str]]
    may_manage: MayManage | None
    forms: dict[str, str]
    disclosures: dict[str, str]
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
    reader = _Reader(
        pack=pack,
        directory=Directory.of(organization),
        systems={s.name: s for s in access.scoped(System.objects.all(), organization)},
        existing=set(live(scoped).values_list("department_id", "name")),
        may_manage=may_manage,
        forms={v: k for k, v in _titles(AssetForm).items()},
        disclosures={v: k for k, v in _titles(Disclosure).items()},
    )
    try:
        with tabular.open_tables(data) as tables:
            entries = _read_sheet(reader, tables, max_rows)
    except tabular.UnreadableFileError as exc:
        return AssetPlan(errors=(tabular.RowError(line=None, column="", reason=str(exc)),))
    if not entries and not reader.errors:
        reason = _("取り込む行がありません。")
        reader.errors.append(tabular.RowError(line=None, column="", reason=reason))
    return AssetPlan(entries=tuple(entries), errors=tuple(reader.errors))


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
        fields = _asset_fields(reader, row)
        if row.ok:
            entries.append(AssetEntry(line=line, fields=fields))
    return entries


def _asset_fields(reader: _Reader, row: tabular.Row) -> dict[str, Any]:
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
    elif (department.pk, name) in reader.existing:
        row.fail(
            NAME,
            _("「%(name)s」は%(department)sの情報資産として既に台帳にあります。")
            % {"name": name, "department": department.name},
        )
    if not reader.may(department):
        row.fail(DEPARTMENT, _("この部署の情報資産を登録する権限がありません。"))
    return fields


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
) -> AssetPlan:
    """Check a file and, when every row is valid, register it all in one transaction.

    The check runs before the transaction so a large file does not hold the database's
    write lock while it is read; an asset registered meanwhile is not checked again.
    """
    plan = read_assets(organization, data, may_manage=may_manage, max_rows=max_rows)
    if plan.ok:
        progress.writing()
        services.bulk_register_assets(
            organization, actor=actor, rows=[e.fields for e in plan.entries]
        )
    return plan


def export_assets(
    organization: Organization, *, fmt: Format, assets: QuerySet[Asset] | None = None
) -> bytes:
    """The register in the import's format (.xlsx or UTF-8 CSV), formulas neutralised.

    `assets`: the rows to write (an AssetFilterSet's result); if None, the register's assets
    in use (廃棄済み left out, as the list leaves them out by default).
    """
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    if assets is None:
        assets = live(Asset.objects.all())
    assets = access.scoped(assets, organization)
    sheet = tabular.Sheet(
        title=SHEET,
        headings=headings(pack),
        rows=_rows(organization, pack, assets),
        count=assets.count(),
        widths=_widths(pack),
    )
    return tabular.write_csv(sheet) if fmt == "csv" else tabular.write_xlsx([sheet])


def _rows(organization: Organization, pack: Pack, assets: Any) -> Iterator[list[object]]:
    """Export rows, in department and name order, a few thousand at a time."""
    directory = Directory.of(organization)
    systems = dict(access.scoped(System.objects.all(), organization).values_list("pk", "name"))
    levels = [
        (axis.id, {lv.id: lv.title for lv in axis.levels}) for axis in pack.classification.axes
    ]
    forms, disclosures = _titles(AssetForm), _titles(Disclosure)
    columns = (
        "name", "description", "department_id", "owner_id", "classification",
        "classification_status", "form", "storage_location", "system_id", "retention",
        "disclosure",
    )  # fmt: skip
    ordered = assets.order_by("department__name", "name", "pk").values_list(*columns)
    for row in ordered.iterator(2000):
        name, description, department, owner, classes, status, form = row[:7]
        storage, system, retention, disclosure = row[7:]
        unclear = status == ClassificationStatus.UNCLEAR
        yield [
            name,
            description,
            directory.departments_by_id[department].name,
            directory.label_of(owner),
            *(
                UNCLEAR if unclear else titles.get(classes.get(axis, ""), "")
                for axis, titles in levels
            ),
            forms.get(form, form),
            storage,
            systems.get(system, "") if system else "",
            retention,
            disclosures.get(disclosure, disclosure),
        ]


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
