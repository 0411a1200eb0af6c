"""Which organisation a user acts in: their memberships, and the one that is active.

An account may belong to several organisations (a prefecture's 情報セキュリティクラウド
team, external auditors), each through a Membership with a period, pointing at the
account's Person record in that organisation. kitei reads and checks everything for a user
through the *active* membership: the one the session chose (pages), the token's
organisation (API) or `--org` (CLI), bound with `bind` — and only while it is valid today.
A user whose binding was not decided has as active the only membership valid today, if
there is exactly one. An ended or not yet begun membership is never active.

Memberships live in `kitei.people` (a higher layer): this module reads them through the
account's reverse relation `memberships` and never imports people.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core.actors import Operator

if TYPE_CHECKING:
    from kitei.core.models import Organization

# The session key of the organisation a user chose to act in (its primary key).
SESSION_KEY = "kitei_organization"

_ATTR = "_kitei_membership"
_UNBOUND = object()


def _account(user: Any) -> bool:
    """Whether `user` is a logged-in account (not anonymous, not a CLI operator)."""
    return user is not None and not isinstance(user, Operator) and bool(user.is_authenticated)


def _period(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


# A membership whose Person has been moved to another organisation is no membership at all.
_CONSISTENT = Q(person__organization_id=F("organization_id"))


def valid_on(on: date) -> Q:
    """Memberships valid on a day (both ends inclusive; a missing end is no limit)."""
    return _period(on) & _CONSISTENT


def valid_memberships(user: Any, on: date | None = None) -> list[Any]:
    """The account's memberships valid on `on` (default today), one per organisation."""
    if not _account(user):
        return []
    rows = (
        user.memberships.filter(valid_on(on or timezone.localdate()))
        .select_related("organization", "person__organization")
        .order_by("organization__name", "organization_id", "pk")
    )
    seen: dict[int, Any] = {}
    for m in rows:
        seen.setdefault(m.organization_id, m)
    return list(seen.values())


def membership_in(user: Any, organization_id: int, on: date | None = None) -> Any | None:
    """The account's membership in that organisation valid on `on` (default today), if any."""
    if not _account(user):
        return None
    return (
        user.memberships.filter(
            valid_on(on or timezone.localdate()), organization_id=organization_id
        )
        .select_related("organization", "person__organization")
        .order_by("pk")
        .first()
    )


def lapsed_membership(user: Any, organization_id: int | None = None) -> Any | None:
    """The account's latest membership (in that organisation, or any) that is not valid today."""
    if not _account(user):
        return None
    rows = (
        user.memberships.filter(_CONSISTENT)
        .exclude(_period(timezone.localdate()))
        .select_related("organization")
    )
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return rows.order_by("-valid_until", "-pk").first()


def not_begun(membership: Any) -> bool:
    """Whether a membership starts after today (rather than having ended)."""
    return membership.valid_from is not None and timezone.localdate() < membership.valid_from


def lapse_message(membership: Any) -> str:
    """Why a membership is not valid today, in one Japanese sentence."""
    org = membership.organization.name
    if not_begun(membership):
        return _("組織「%(org)s」での所属期間は%(date)sから始まります。") % {
            "org": org,
            "date": membership.valid_from.isoformat(),
        }
    ended = membership.valid_until.isoformat() if membership.valid_until else ""
    return _("この組織の所属期間は終了しています（組織「%(org)s」、%(date)sまで）。") % {
        "org": org,
        "date": ended,
    }


def bind(user: Any, membership: Any | None) -> None:
    """Make `membership` the account's active one for this request or command (None: none)."""
    setattr(user, _ATTR, membership)


def active_membership(user: Any) -> Any | None:
    """The membership the account acts under: the bound one, else its only valid one."""
    if not _account(user):
        return None
    bound = getattr(user, _ATTR, _UNBOUND)
    if bound is not _UNBOUND:
        return bound
    valid = valid_memberships(user)
    return valid[0] if len(valid) == 1 else None


def person_of(user: Any) -> Any:
    """The Person record of a logged-in user in the active organisation, if any."""
    membership = active_membership(user)
    return membership.person if membership is not None else None


def organization_of(user: Any) -> Organization | None:
    """The active organisation of a user (None without one, e.g. a site administrator)."""
    membership = active_membership(user)
    return cast("Organization", membership.organization) if membership is not None else None


def display_name(user: Any) -> str:
    """A user's name as people read it: the active Person's, else any Person's, else the login."""
    person = person_of(user)
    if person is None and _account(user):
        person = user.persons.order_by("pk").first()
    return str(person.name) if person is not None else str(user.get_username())
