"""Password change: the temporary password at first login (002 7-2(3)イ) and the validators."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain

from ..conftest import PASSWORD, make_person
from .otp import CHANGE_PASSWORD, sign_in

NEW = "Mito-gikai-2026-aozora"


def _change(client: Client, new: str, again: str | None = None, old: str = PASSWORD) -> Any:
    """Fill in the form as shown: it carries `next` so that a change ends on the home page."""
    assert (
        '<input type="hidden" name="next" value="/">'
        in client.get(CHANGE_PASSWORD).content.decode()
    )
    data = {"oldpassword": old, "password1": new, "password2": new if again is None else again}
    return client.post(CHANGE_PASSWORD, {**data, "next": "/"})


@pytest.fixture
def endo(mito: Any) -> Any:
    """A new member of staff holding the temporary password the administrator handed out."""
    return make_person(mito, "endo", "遠藤 五郎", must_change_password=True)


@pytest.mark.django_db
def test_temporary_password_is_changed_at_first_login_then_home(mito: Any, endo: Any) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"login": "endo", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/", 302), (CHANGE_PASSWORD, 302)]
    page = response.content.decode()
    assert "初回ログインです。管理者から受け取った仮パスワード" in page
    assert "パスワードは最低 12 文字以上必要です。" in page  # the validators' help
    assert client.get("/audit/")["Location"] == CHANGE_PASSWORD  # every other page waits

    response = _change(client, NEW)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "<h1>水戸市議会</h1>" in home.content.decode()
    assert "パスワードを変更しました。" in home.content.decode()

    endo.refresh_from_db()
    assert not endo.must_change_password
    record = ChangeRecord.objects.get(organization=mito, action="change_temporary_password")
    assert record.actor_name == "endo"
    assert record.object_id == str(endo.pk)
    assert verify_audit_chain(mito).ok
    assert sign_in(Client(), "endo", PASSWORD).status_code == 200  # the old one is refused
    assert sign_in(Client(), "endo", NEW)["Location"] == "/"


@pytest.mark.django_db
def test_a_later_password_change_writes_no_second_temporary_record(mito: Any, suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    assert "初回ログインです" not in client.get(CHANGE_PASSWORD).content.decode()
    assert _change(client, NEW)["Location"] == "/"
    assert not ChangeRecord.objects.filter(action="change_temporary_password").exists()
    assert sign_in(Client(), "suzuki", NEW)["Location"] == "/"
    # The change itself is in the audit trail, by the person, never with the password.
    (record,) = ChangeRecord.objects.filter(action="change_password")
    assert record.organization_id == mito.pk
    assert json.loads(record.after) == {"password": "changed"}
    assert NEW not in str(record.after)
    assert NEW not in str(record.before)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("Aozora-26", None, "このパスワードは短すぎます。最低 12 文字以上必要です。"),
        ("202604011234", None, "このパスワードは数字しか使われていません。"),
        ("password1234", None, "このパスワードは一般的すぎます。"),
        (NEW, NEW + "x", "同じパスワードを入力してください。"),
        # Long enough and not on Django's list, but guessable (zxcvbn):
        ("aaaaaaaaaaaa", None, "推測されやすいパスワードです。「aaa」のような同じ文字の繰り返し"),
        ("passwordpassword", None, "推測されやすいパスワードです。「abcabcabc」のような繰り返し"),
        ("qwertyuiopasdf", None, "推測されやすいパスワードです。"),
        ("endo-endo-endo", None, "ユーザー名・氏名・組織名などを含めないでください。"),
    ],
)
@pytest.mark.django_db
def test_weak_or_mismatched_passwords_are_refused_in_japanese(
    mito: Any, endo: Any, new: str, again: str | None, message: str
) -> None:
    client = Client()
    sign_in(client, "endo")
    response = _change(client, new, again)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'class="field invalid"' in page
    endo.refresh_from_db()
    assert endo.must_change_password  # nothing half-written
    assert not ChangeRecord.objects.filter(action="change_temporary_password").exists()
    assert sign_in(Client(), "endo", PASSWORD)["Location"] == "/"


@pytest.mark.django_db
def test_wrong_current_password_is_refused_in_japanese(mito: Any, endo: Any) -> None:
    client = Client()
    sign_in(client, "endo")
    page = _change(client, NEW, old="not-my-password").content.decode()
    assert "現在のパスワードを入力してください。" in page
    endo.refresh_from_db()
    assert endo.must_change_password


def test_strength_validator_explains_in_japanese_and_knows_the_user(mito: Any) -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    from kitei.core.passwords import StrengthValidator  # noqa: PLC0415

    validator = StrengthValidator()
    for strong in (PASSWORD, NEW, "kitei-demo-2026"):  # the tests' and the demo's passwords
        validator.validate(strong)
    validator.validate("kobayashi2026!")  # fine for someone else …
    kobayashi = get_user_model()(username="kobayashi", last_name="小林 六郎")
    with pytest.raises(ValidationError) as caught:  # … not for kobayashi
        validator.validate("kobayashi2026!", kobayashi)
    assert caught.value.code == "password_too_guessable"
    assert "ユーザー名・氏名・組織名などを含めないでください。" in caught.value.messages[0]
    assert "推測されやすいパスワードは使えません" in validator.get_help_text()
    with pytest.raises(ValidationError):  # zxcvbn reads 72 characters: longer ones are no error
        validator.validate("a" * 100)


@pytest.mark.django_db
def test_every_organisation_of_the_account_counts_as_guessable(mito: Any, toyama: Any) -> None:
    from kitei.core.passwords import user_inputs  # noqa: PLC0415
    from kitei.people.memberships import add_membership  # noqa: PLC0415

    from ..conftest import SETUP  # noqa: PLC0415

    member = make_person(mito, "kondo", "近藤 一")
    add_membership(toyama, actor=SETUP, user=member.user, kind="support", name="近藤 はじめ")
    known = user_inputs(member.user)
    assert {"mito", "水戸市議会", "toyama", "富山市管工事協同組合", "近藤 はじめ"} <= set(known)
