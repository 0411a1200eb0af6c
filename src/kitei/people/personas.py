"""The demo's personas as the database holds them: who can log in, where, as what.

`kitei demo` prints them when it has built the demo, and the README lists the same table
(`as_markdown`); a test builds the demo and compares the two, so the README never names an
account the demo does not create. Everything is read from the data: the organisation,
the roles held today (with their 課 or system), the department, the address, and whether
TOTP is set up at first login (`access.requires_mfa`: administrators and holders of the
pack's administrative roles, who have no authenticator yet).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.utils import timezone

from kitei.core import access
from kitei.people.models import Person
from kitei.people.queries import role_titles, valid_on

YES_TOTP = "初回ログイン時に設定"
NO_TOTP = "—"


@dataclass(frozen=True, kw_only=True)
class Persona:
    """One account of the demo: what a person trying kitei needs to pick one."""

    username: str
    organization: str
    name: str
    roles: str  # the titles of the roles held today, 組織管理者 first
    department: str
    totp_at_first_login: bool
    email: str

    def row(self) -> tuple[str, ...]:
        """The persona as the columns of the printed and the README tables."""
        totp = YES_TOTP if self.totp_at_first_login else NO_TOTP
        return (
            self.username,
            self.organization,
            self.roles,
            self.department or "—",
            totp,
            self.email or "未登録",
        )


HEADINGS = ("ユーザー名", "組織", "役割", "部署", "二要素認証（TOTP）", "メール")


def _order(person: Person) -> tuple[int, str]:
    """Administrators, then named accounts (the staff member), then role holders by number."""
    username = person.user.get_username() if person.user is not None else ""
    numbered = username.rsplit("-", 1)[-1].isdigit()
    return (0 if person.is_org_admin else 2 if numbered else 1, username)


def _roles(person: Person, titles: dict[str, str]) -> str:
    today = timezone.localdate()
    held = []
    for a in person.assignments.filter(valid_on(today)).select_related("system"):
        title = titles.get(a.role_id, a.role_id)
        held.append(f"{title}（{a.system.name}）" if a.system is not None else title)
    return "・".join((["組織管理者"] if person.is_org_admin else []) + sorted(held))


def personas(slugs: Sequence[str]) -> list[Persona]:
    """The accounts of the organisations `slugs`, in that order, as the database holds them."""
    result: list[Persona] = []
    for slug in slugs:
        people = Person.objects.filter(organization__slug=slug, user__isnull=False)
        people = people.select_related("organization", "department", "user")
        ordered = sorted(people, key=_order)
        if not ordered:
            continue
        titles = role_titles(ordered[0].organization)
        with_totp = set(
            Authenticator.objects.filter(
                user__in=[p.user for p in ordered], type=Authenticator.Type.TOTP
            ).values_list("user_id", flat=True)
        )
        for person in ordered:
            user = person.user
            assert user is not None  # filtered above
            result.append(
                Persona(
                    username=user.get_username(),
                    organization=person.organization.name,
                    name=person.name,
                    roles=_roles(person, titles),
                    department=person.department.name if person.department else "",
                    totp_at_first_login=access.requires_mfa(user) and user.pk not in with_totp,
                    email=person.mail_address(),
                )
            )
    return result


def _width(text: str) -> int:
    """Columns a terminal gives the text (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def as_text(rows: Sequence[Persona]) -> str:
    """The personas as a terminal table, one block per organisation (the organisation as title)."""
    lines: list[str] = []
    # The organisation heads each block; the long list of roles comes last.
    order = (0, 3, 4, 5, 2)
    columns = [HEADINGS[i] for i in order]
    table = [[p.row()[i] for i in order] for p in rows]
    widths = [max([_width(c), *(_width(r[i]) for r in table)]) for i, c in enumerate(columns)]
    organization = None
    for persona, row in zip(rows, table, strict=True):
        if persona.organization != organization:
            organization = persona.organization
            lines += ["", organization, _line(columns, widths)]
        lines.append(_line(row, widths))
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return ("  " + "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True))).rstrip()


def as_markdown(rows: Sequence[Persona]) -> str:
    """The personas as the README's Markdown table (the username as code)."""
    lines = ["| " + " | ".join(HEADINGS) + " |", "|" + " --- |" * len(HEADINGS)]
    for persona in rows:
        username, *rest = persona.row()
        lines.append("| " + " | ".join([f"`{username}`", *rest]) + " |")
    return "\n".join(lines)
