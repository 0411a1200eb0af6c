"""The 情報資産台帳's columns, and an asset as the export writes it (import and export share it).

The export writes 台帳番号 (the asset's id, `kitei.core.roundtrip`) first, then the
columns in `headings` order, levels as their titles and people by 氏名 (ユーザー名 when
two people share the name); the import compares a registered asset's row by these texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from kitei.assets.models import Asset, AssetForm, ClassificationStatus, Disclosure
from kitei.assets.queries import live
from kitei.core import access, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.transfer import Format
from kitei.policy.model import Pack
from kitei.systems.models import System
from kitei.systems.transfer import Directory

SHEET = "情報資産台帳"
NAME, DESCRIPTION, DEPARTMENT, OWNER = "名称", "説明", "所管部署", "管理責任者"
FORM, STORAGE, SYSTEM = "形態", "保管場所", "関連システム"
RETENTION, DISCLOSURE = "保存期間", "公開区分"
UNCLEAR = "不明"


def headings(pack: Pack) -> list[str]:
    """The columns of the register for an organisation's pack, in the export's order."""
    axes = [axis.title for axis in pack.classification.axes]
    return [
        roundtrip.ID,
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


def widths(pack: Pack) -> list[int]:
    return [10, 30, 30, 16, 14, *(12 for _a in pack.classification.axes), 12, 16, 22, 10, 10]


def titles(choices: Any) -> dict[str, str]:
    """Value → Japanese title of a TextChoices (the file format is Japanese in any locale)."""
    with translation.override("ja"):
        return {value: str(title) for value, title in choices.choices}


VALUES = (
    "name", "description", "department_id", "owner_id", "classification",
    "classification_status", "form", "storage_location", "system_id", "retention",
    "disclosure",
)  # fmt: skip


def cells(display: Display, values: tuple[Any, ...]) -> dict[str, str]:
    """An asset's cells as the export writes them (`values` in VALUES' order)."""
    name, description, department, owner, classes, status, form = values[:7]
    storage, system, retention, disclosure = values[7:]
    unclear = status == ClassificationStatus.UNCLEAR
    axes = {
        title: UNCLEAR if unclear else titles.get(classes.get(axis, ""), "")
        for axis, title, titles in display.levels
    }
    return {
        NAME: name,
        DESCRIPTION: description,
        DEPARTMENT: display.directory.departments_by_id[department].name,
        OWNER: display.directory.label_of(owner),
        **axes,
        FORM: display.forms.get(form, form),
        STORAGE: storage,
        SYSTEM: display.systems.get(system, "") if system else "",
        RETENTION: retention,
        DISCLOSURE: display.disclosures.get(disclosure, disclosure),
    }


@dataclass(frozen=True, kw_only=True)
class Display:
    """What turns stored values into the export's texts (titles, 氏名, system names)."""

    directory: Directory
    systems: dict[int, str]
    levels: list[tuple[str, str, dict[str, str]]]  # axis id, axis title, level id → title
    forms: dict[str, str]
    disclosures: dict[str, str]

    @classmethod
    def of(cls, organization: Organization, pack: Pack, directory: Directory) -> Display:
        """The lookups of an organisation (one query for its systems)."""
        systems = access.scoped(System.objects.all(), organization).values_list("pk", "name")
        return cls(
            directory=directory,
            systems=dict(systems),
            levels=[
                (a.id, a.title, {lv.id: lv.title for lv in a.levels})
                for a in pack.classification.axes
            ],
            forms=titles(AssetForm),
            disclosures=titles(Disclosure),
        )


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
        rows=rows_of(organization, pack, assets),
        count=assets.count(),
        widths=widths(pack),
    )
    return tabular.write_csv(sheet) if fmt == "csv" else tabular.write_xlsx([sheet])


def rows_of(organization: Organization, pack: Pack, assets: Any) -> Iterator[list[object]]:
    """Export rows (台帳番号 first), in department and name order, a few thousand at a time."""
    display = Display.of(organization, pack, Directory.of(organization))
    ordered = assets.order_by("department__name", "name", "pk").values_list("pk", *VALUES)
    for pk, *values in ordered.iterator(2000):
        yield [pk, *cells(display, tuple(values)).values()]
