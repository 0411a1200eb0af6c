"""Filters of a register's rows by the people register: the 課 and the person in charge.

Shared by the asset and system FilterSets (`kitei.core.filters.RowFilter` on people rows).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from kitei.core.filters import RowFilter
from kitei.people.models import Department, Person


def department_filter() -> RowFilter:
    """`department`: the 所管部署, by the id of one of the organisation's departments."""
    return RowFilter(
        field_name="department_id",
        rows=Department,
        what=gettext_lazy("部署"),
        label=gettext_lazy("所管部署"),
        help_text=gettext_lazy("部署の id"),
    )


def person_filter(field_name: str, label: Promise) -> RowFilter:
    """A person in charge (管理責任者, 情報システム管理者 …), by a person's id."""
    return RowFilter(
        field_name=field_name,
        rows=Person,
        what=gettext_lazy("職員"),
        label=label,
        help_text=gettext_lazy("職員の id"),
    )
