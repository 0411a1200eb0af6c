"""What a permission is asked about: an organisation, and the 課 and system inside it.

`kitei.core.access` re-exports `Target` and `target_of`; this module holds them so that the
permission question stays short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kitei.core.models import Organization


@dataclass(frozen=True, kw_only=True)
class Target:
    """What a permission is asked about: an organisation, and the 課 and system inside it."""

    organization_id: int
    department_id: int | None = None
    system_id: int | None = None  # None: a system not yet registered
    system_manager_id: int | None = None
    system_operator_id: int | None = None
    anywhere: bool = False  # "in some part of the organisation" (list pages, new-item forms)


def target_of(resource: Any) -> Target | None:
    """The Target of an Organization, a Target, or a tenant row (its 課 and system).

    A tenant row exposes `organization_id` and may expose `department_id`; a row that *is*
    a system (it has `manager_id` and `operator_id`) is its own system; a row that names one
    has `system` or `system_id`; a department (課) is its own 課. An Organization alone means
    "anywhere in it".
    """
    if resource is None or isinstance(resource, Target):
        return resource
    if isinstance(resource, Organization):
        return Target(organization_id=resource.pk, anywhere=True)
    org_id = getattr(resource, "organization_id", None)
    if org_id is None:
        return None
    is_system, names_system, is_department = _shape(type(resource))
    if is_system:
        system: Any = resource
    elif names_system and resource.system_id is not None:
        system = resource.system
    else:
        system = None
    if system is None:
        return Target(
            organization_id=org_id,
            department_id=resource.pk
            if is_department
            else getattr(resource, "department_id", None),
        )
    return Target(
        organization_id=org_id,
        department_id=resource.pk if is_department else getattr(resource, "department_id", None),
        system_id=system.pk,
        system_manager_id=system.manager_id,
        system_operator_id=system.operator_id,
    )


_SHAPES: dict[type, tuple[bool, bool, bool]] = {}


def _shape(cls: type) -> tuple[bool, bool, bool]:
    """Whether rows of `cls` are systems, name a system, or are departments (read once)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        is_system = hasattr(cls, "manager_id") and hasattr(cls, "operator_id")
        names_system = not is_system and hasattr(cls, "system_id") and hasattr(cls, "system")
        meta = getattr(cls, "_meta", None)
        is_department = meta is not None and meta.model_name == "department"
        shape = _SHAPES[cls] = (is_system, names_system, is_department)
    return shape
