"""`kitei people unlock`: lift an account's failed-login lock from the server, recorded."""

from __future__ import annotations

import sys
from typing import TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.people.services import unlock_account


def unlock_command(
    slug: str,
    username: str,
    *,
    as_user: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """0 when unlocked (and recorded), 2 with one line when it cannot be."""
    out, err = out or sys.stdout, err or sys.stderr
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        print(_("kitei: 組織「%(slug)s」はありません。") % {"slug": slug}, file=err)
        return 2
    user = get_user_model().objects.filter(username=username).first()
    person = Person.objects.filter(organization=organization, user=user).first() if user else None
    if person is None:
        print(
            _("kitei: 組織「%(slug)s」にユーザー「%(username)s」はいません。")
            % {"slug": slug, "username": username},
            file=err,
        )
        return 2
    try:
        actor = access.cli_actor(organization, as_user, "kitei people unlock")
        before = unlock_account(organization, actor=actor, person=person)
    except access.UnknownOperatorError as exc:
        print(f"kitei: {exc}", file=err)
        return 2
    except (PermissionDenied, ValidationError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        print(_("kitei: ロックを解除できませんでした: %(error)s") % {"error": reason}, file=err)
        return 2
    if before.locked:
        message = _("kitei: 「%(username)s」のロックを解除しました（失敗 %(n)s 回の記録を消去）。")
    else:
        message = _(
            "kitei: 「%(username)s」はロックされていませんでした（失敗 %(n)s 回の記録を消去）。"
        )
    print(message % {"username": username, "n": before.failures}, file=out)
    return 0
