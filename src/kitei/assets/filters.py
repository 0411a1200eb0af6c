"""The filters of the 情報資産台帳 list: one definition for its page, /api/assets and the export.

Parameters: `q` (名称・説明の部分一致, kitei.core.textsearch), `department`, `owner`,
`system` (ids of the organisation's rows), `zone` (the related system's network, by id or
title), `form`, `status` (`decided` / `unclear`), `disposed` (`true`: 廃棄済み included;
without it the disposed assets are left out), and one parameter per classification axis of the pack,
named by the axis id, title or alias, with a level id or title (`機密性=3B`,
`confidentiality=3B&confidentiality=3A`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from kitei.assets.expressions import AXIS_ID, AxisLevel
from kitei.assets.models import Asset, AssetForm, ClassificationStatus
from kitei.core.filters import (
    LevelsFilter,
    NameFilter,
    RegisterFilterSet,
    RowFilter,
    TrueFalseFilter,
    ValueFilter,
    axis_names,
)
from kitei.people.filters import department_filter, person_filter
from kitei.systems.models import System


class AxisLevelFilter(LevelsFilter):
    """Assets at any of some levels of one axis, through the expression the indexes cover."""

    def filter(self, qs: QuerySet[Any], value: Any, path: str = "") -> QuerySet[Any]:
        if not value:
            return qs
        axis = str(self.field_name)
        # The axis id comes from the pack, never from the query string itself.
        if AXIS_ID.fullmatch(axis):  # the form the register's per-axis indexes cover
            aliased: QuerySet[Any] = qs.alias(**{f"level_{axis}": AxisLevel(axis)})
            return super().filter(aliased, value, f"level_{axis}")
        return super().filter(qs, value, f"classification__{axis}")


class DisposedFilter(TrueFalseFilter):
    """廃棄済み (issue 9): disposed assets are history, left out unless `disposed=true`."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs if value == "true" else qs.filter(disposed_at__isnull=True)


class AssetFilterSet(RegisterFilterSet):
    """Filters of the asset list; the classification axes come from the pack."""

    search_fields = ("name", "description")
    search_table = "assets_asset"  # its FTS5 table: assets migration 0006

    department = department_filter()
    owner = person_filter("owner_id", gettext_lazy("管理責任者"))
    system = RowFilter(
        field_name="system_id",
        rows=System,
        what=gettext_lazy("情報システム"),
        label=gettext_lazy("関連システム"),
        help_text=gettext_lazy("情報システムの id"),
    )
    zone = NameFilter(
        field_name="system__zone",
        label=gettext_lazy("関連システムのネットワーク"),
        help_text=gettext_lazy("ID または名称"),
    )
    # The metaclass takes declared filters out of the class, so FilterSet.form stays a form.
    form = ValueFilter(  # type: ignore[assignment]  # see above
        field_name="form", values=AssetForm.values, label=gettext_lazy("形態")
    )
    status = ValueFilter(
        field_name="classification_status",
        values=ClassificationStatus.values,
        label=gettext_lazy("分類の状態"),
    )
    disposed = DisposedFilter(
        field_name="disposed_at",
        label=gettext_lazy("廃棄済みを含める"),
        help_text=gettext_lazy("true: 廃棄済みの情報資産も含める（既定では含めない）"),
    )

    class Meta:
        model = Asset
        fields: list[str] = []

    def aliases(self) -> dict[str, str]:
        """Each axis by its title or alias too (`機密性=3B`)."""
        return axis_names(self.pack)

    def configure(self) -> None:
        """The pack's network zones, and one filter per classification axis."""
        self.configure_zones()
        for axis in self.pack.classification.axes:
            self.add_filter(
                axis.id,
                AxisLevelFilter(field_name=axis.id, label=axis.title, pack=self.pack, axis=axis.id),
            )
