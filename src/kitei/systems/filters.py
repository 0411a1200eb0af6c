"""The filters of the 情報システム台帳 list: one definition for page, /api/systems and export.

Parameters: `q` (名称の部分一致), `department`, `manager` (ids of the organisation's
rows), `zone` (by id or title), `external` (`true` / `false`), `support` (`ended`: systems
running software past its end of support, 002 7-4(1)キ), and the pack's availability axis
by id, title or alias (`可用性=2`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kitei.core.filters import (
    LevelsFilter,
    NameFilter,
    RegisterFilterSet,
    TrueFalseFilter,
    ValueFilter,
    axis_names,
)
from kitei.people.filters import department_filter, person_filter
from kitei.systems.models import Software, System

AVAILABILITY = "availability"  # the one axis a system is classified on


class SystemFilterSet(RegisterFilterSet):
    """Filters of the system list."""

    search_fields = ("name",)
    search_table = "systems_system"  # its FTS5 table: systems migration 0003

    department = department_filter()
    manager = person_filter("manager_id", gettext_lazy("情報システム管理者"))
    zone = NameFilter(
        field_name="zone",
        label=gettext_lazy("ネットワーク"),
        help_text=gettext_lazy("ID または名称"),
    )
    external = TrueFalseFilter(
        field_name="is_external_service", label=gettext_lazy("外部サービス（クラウド）")
    )
    support = ValueFilter(
        method="past_support",
        values=("ended",),
        label=gettext_lazy("ソフトウェアのサポート"),
        help_text=gettext_lazy("ended: サポートが終了したソフトウェアを使っているもの"),
    )

    class Meta:
        model = System
        fields: list[str] = []

    def past_support(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """`support=ended`: systems running software past its end of support (002 7-4(1)キ)."""
        if value != "ended":
            return queryset
        today = timezone.localdate()
        past = Software.objects.filter(end_of_support__lt=today, system=OuterRef("pk"))
        return queryset.filter(Exists(past))

    def aliases(self) -> dict[str, str]:
        """The availability axis by its title or alias too (`可用性=2`)."""
        return axis_names(self.pack, (AVAILABILITY,))

    def configure(self) -> None:
        """The pack's network zones and, when it has one, its availability axis."""
        self.configure_zones()
        axis = next((a for a in self.pack.classification.axes if a.id == AVAILABILITY), None)
        if axis is not None:
            self.add_filter(
                AVAILABILITY,
                LevelsFilter(
                    field_name=AVAILABILITY, label=axis.title, pack=self.pack, axis=axis.id
                ),
            )

    def unknown_reason(self, name: str) -> str | None:
        """Another axis of the pack: systems carry only availability."""
        if name in axis_names(self.pack):
            return _("情報システムは可用性の分類でだけ絞り込めます。")
        return None
