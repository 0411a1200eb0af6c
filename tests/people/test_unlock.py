"""An administrator lifts a failed-login lock (入力回数制限): service, page and CLI, recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kitei.cli import main
from kitei.core import access, lockout
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.services import unlock_account

from ..accounts.otp import sign_in
from ..conftest import make_person
from .conftest import client_for

BUTTON = "ロックを解除する"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _lock(person: Any) -> None:
    """Five wrong passwords, as a colleague out to lock them out would type."""
    for _ in range(5):
        sign_in(Client(), person.user.username, "guess-password")
    assert lockout.state(person.user).locked


def _unlocks(org: Any) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(organization=org, action="unlock_account"))


@pytest.mark.django_db
def test_service_unlocks_and_records_who_and_what(mito: Any, suzuki: Any, ito: Any) -> None:
    _lock(suzuki)
    before = unlock_account(mito, actor=ito.user, person=suzuki)
    assert before == lockout.LockState(failures=5, locked=True)
    assert not lockout.state(suzuki.user).locked
    assert sign_in(Client(), "suzuki")["Location"] == "/"
    [record] = _unlocks(mito)
    assert record.actor_name == "ito"
    assert record.object_id == str(suzuki.pk)
    assert record.before == '{"failed_logins":5,"locked":true}'
    assert '"username":"suzuki"' in record.after
    assert verify_audit_chain(mito).ok


@pytest.mark.django_db
def test_staff_may_not_unlock_and_nothing_is_recorded(mito: Any, suzuki: Any, sato: Any) -> None:
    _lock(suzuki)
    with pytest.raises(access.Refusal):
        unlock_account(mito, actor=sato.user, person=suzuki)
    assert lockout.state(suzuki.user).locked
    assert _unlocks(mito) == []


@pytest.mark.django_db
def test_another_organisations_administrator_may_not_unlock(
    mito: Any, suzuki: Any, toyama: Any, toyama_admin: Any
) -> None:
    _lock(suzuki)
    with pytest.raises(access.Refusal):
        unlock_account(mito, actor=toyama_admin.user, person=suzuki)
    assert client_for("toyama_admin").post(f"/people/{suzuki.pk}/unlock/").status_code == 404
    assert lockout.state(suzuki.user).locked
    assert _unlocks(mito) == []


@pytest.fixture
def takahashi(mito: Any, somu: Any) -> Any:
    """A member of staff without administrative rights."""
    return make_person(mito, "takahashi", "高橋 健太", department=somu)


@pytest.mark.django_db
def test_person_page_shows_the_lock_and_the_button_to_administrators(
    mito: Any, suzuki: Any, ito: Any, takahashi: Any
) -> None:
    admin = client_for("ito")
    page = admin.get(f"/people/{suzuki.pk}/").content.decode()
    assert "ロックされていません" in page
    assert BUTTON not in page
    _lock(suzuki)
    page = admin.get(f"/people/{suzuki.pk}/").content.decode()
    assert "ロックされています（入力回数制限、失敗 5 回）" in page
    assert BUTTON in page
    assert f'action="/people/{suzuki.pk}/unlock/"' in page
    # Staff see neither the state nor the button.
    staff_page = client_for("takahashi").get(f"/people/{suzuki.pk}/")
    assert staff_page.status_code == 200
    assert "鈴木 花子" in staff_page.content.decode()
    assert "ロック" not in staff_page.content.decode()

    response = admin.post(f"/people/{suzuki.pk}/unlock/", follow=True)
    assert response.redirect_chain == [(f"/people/{suzuki.pk}/", 302)]
    assert "鈴木 花子 のアカウントのロックを解除しました。" in response.content.decode()
    assert len(_unlocks(mito)) == 1
    assert sign_in(Client(), "suzuki")["Location"] == "/"


@pytest.mark.django_db
def test_unlock_page_refuses_staff_and_get(
    mito: Any, suzuki: Any, ito: Any, takahashi: Any
) -> None:
    _lock(suzuki)
    assert client_for("takahashi").post(f"/people/{suzuki.pk}/unlock/").status_code == 403
    assert client_for("ito").get(f"/people/{suzuki.pk}/unlock/").status_code == 405
    assert lockout.state(suzuki.user).locked
    assert _unlocks(mito) == []


@pytest.mark.django_db
def test_a_person_without_an_account_cannot_be_unlocked(mito: Any, ito: Any) -> None:
    from kitei.people.services import create_person  # noqa: PLC0415

    member = create_person(mito, actor=ito.user, name="議員 一郎")
    response = client_for("ito").post(f"/people/{member.pk}/unlock/", follow=True)
    assert "この職員にはログインアカウントがありません。" in response.content.decode()
    assert _unlocks(mito) == []


@pytest.mark.django_db
def test_cli_unlocks_as_the_os_user_and_records_it(
    mito: Any, suzuki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _lock(suzuki)
    assert main(["people", "unlock", "--org", "mito", "suzuki"]) == 0
    assert "「suzuki」のロックを解除しました（失敗 5 回の記録を消去）。" in capsys.readouterr().out
    assert not lockout.state(suzuki.user).locked
    [record] = _unlocks(mito)
    assert record.actor_name.startswith("os:")
    assert record.actor_name.endswith("(kitei people unlock)")


@pytest.mark.django_db
def test_cli_errors_are_one_line(
    mito: Any, suzuki: Any, sato: Any, toyama: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    make_person(toyama, "yamada", "山田 三郎")
    for argv in (
        ["--org", "nowhere", "suzuki"],
        ["--org", "mito", "nobody"],
        ["--org", "mito", "yamada"],  # a member of another organisation
        ["--org", "mito", "--as", "sato", "suzuki"],  # sato may not manage people
    ):
        assert main(["people", "unlock", *argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("kitei: ")
        assert err.count("\n") == 1
    assert _unlocks(mito) == []
