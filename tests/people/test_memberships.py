"""Memberships: one account in several organisations, each for a period; the CLI that keeps them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kitei.cli import main
from kitei.core import access, tenancy
from kitei.core.models import ChangeRecord
from kitei.people.choices import MembershipKind
from kitei.people.memberships import add_membership, end_membership
from kitei.people.models import Membership, Person

from ..conftest import SETUP, activate_totp, make_person
from .conftest import client_for

pytestmark = pytest.mark.django_db


def _today() -> Any:
    return timezone.localdate()


def _actions(org: Any) -> list[str]:
    return list(ChangeRecord.objects.filter(organization=org).values_list("action", flat=True))


@pytest.fixture
def kobayashi(mito: Any) -> Any:
    """小林, of a prefecture's 情報セキュリティクラウド team, first registered in mito."""
    return make_person(mito, "kobayashi", "小林 県雄")


def test_a_registered_account_gets_an_open_ended_member_membership(suzuki: Any) -> None:
    [membership] = Membership.objects.filter(user=suzuki.user)
    assert membership.person == suzuki
    assert membership.organization == suzuki.organization
    assert membership.kind == MembershipKind.MEMBER
    assert (membership.valid_from, membership.valid_until) == (None, None)
    assert membership.get_kind_display() == "職員等"
    assert access.person_of(suzuki.user) == suzuki


def test_joining_a_second_organisation_creates_its_person_and_records_both(
    kobayashi: Any, toyama: Any
) -> None:
    until = _today() + timedelta(days=90)
    membership = add_membership(
        toyama, actor=SETUP, user=kobayashi.user, kind="support", valid_until=until
    )
    person = membership.person
    assert (person.organization, person.user, person.name) == (toyama, kobayashi.user, "小林 県雄")
    assert membership.valid_from == _today()
    assert membership.created_by == "tests"
    assert _actions(toyama)[-2:] == ["create_person", "add_membership"]
    record = ChangeRecord.objects.get(organization=toyama, action="add_membership")
    assert '"kind":"support"' in record.after
    assert '"user":"kobayashi"' in record.after
    # Two valid memberships and nothing chosen: no organisation acts until one is bound.
    assert [m.organization.slug for m in tenancy.valid_memberships(kobayashi.user)] == [
        "toyama",
        "mito",
    ]  # by organisation name: 富山市… before 水戸市議会
    assert access.organization_of(kobayashi.user) is None
    tenancy.bind(kobayashi.user, membership)
    assert access.person_of(kobayashi.user) == person
    assert access.check(kobayashi.user, "org.view", toyama).allowed
    assert not access.check(kobayashi.user, "org.view", kobayashi.organization).allowed


def test_an_external_auditor_needs_an_end_date_in_the_service_and_the_database(
    kobayashi: Any, toyama: Any
) -> None:
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match="外部監査人の所属には終了日が必要です"):
        add_membership(toyama, actor=SETUP, user=kobayashi.user, kind="external_auditor")
    assert ChangeRecord.objects.count() == before
    assert not Person.objects.filter(organization=toyama).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=kobayashi.user,
            organization=kobayashi.organization,
            person=kobayashi,
            kind=MembershipKind.EXTERNAL_AUDITOR,
            created_by="x",
        )


def test_a_period_ending_before_it_begins_is_refused_by_the_database(kobayashi: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=kobayashi.user,
            organization=kobayashi.organization,
            person=kobayashi,
            valid_from=_today(),
            valid_until=_today() - timedelta(days=1),
            created_by="x",
        )


def test_an_account_has_at_most_one_person_per_organisation(kobayashi: Any, mito: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(organization=mito, user=kobayashi.user, name="二人目")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "visitor"}, "所属の種類「visitor」はありません"),
        ({"valid_until": -1}, "終了日が過去の日付です"),
        ({"valid_from": 10, "valid_until": 5}, "終了日が開始日より前です"),
    ],
)
def test_bad_memberships_are_refused_and_nothing_is_written(
    kobayashi: Any, toyama: Any, kwargs: dict[str, Any], message: str
) -> None:
    dated = {
        k: _today() + timedelta(days=v) if isinstance(v, int) else v for k, v in kwargs.items()
    }
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match=message):
        add_membership(toyama, actor=SETUP, user=kobayashi.user, **dated)
    assert ChangeRecord.objects.count() == before
    assert not Membership.objects.filter(organization=toyama).exists()


def test_an_overlapping_period_is_refused_but_a_later_one_is_not(
    kobayashi: Any, toyama: Any
) -> None:
    first = add_membership(
        toyama, actor=SETUP, user=kobayashi.user, valid_until=_today() + timedelta(days=30)
    )
    with pytest.raises(ValidationError, match="この期間と重なる所属が既にあります"):
        add_membership(
            toyama,
            actor=SETUP,
            user=kobayashi.user,
            valid_from=_today() + timedelta(days=30),
        )
    later = add_membership(
        toyama, actor=SETUP, user=kobayashi.user, valid_from=_today() + timedelta(days=31)
    )
    assert later.person == first.person  # a renewed membership keeps the person's record


def test_only_those_who_manage_people_there_may_add_memberships(
    kobayashi: Any, suzuki: Any, toyama: Any, mito: Any
) -> None:
    with pytest.raises(access.Refusal) as refused:
        add_membership(mito, actor=suzuki.user, user=kobayashi.user, kind="support")
    assert str(refused.value).startswith("「職員名簿と役割の管理」の権限がありません。")
    mito_admin = make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)
    # mito's administrator manages mito's people, not toyama's.
    with pytest.raises(access.Refusal, match="この組織の構成員ではありません"):
        add_membership(toyama, actor=mito_admin.user, user=kobayashi.user, kind="support")
    assert not Membership.objects.filter(organization=toyama).exists()


def test_ending_a_membership_refuses_everything_from_that_day(kobayashi: Any, mito: Any) -> None:
    [membership] = Membership.objects.filter(user=kobayashi.user)
    ended = end_membership(
        mito, actor=SETUP, membership=membership, on=_today() - timedelta(days=1)
    )
    assert ended.valid_until == _today() - timedelta(days=1)
    assert _actions(mito)[-1] == "end_membership"
    assert access.person_of(kobayashi.user) is None
    assert not access.check(kobayashi.user, "org.view", mito).allowed
    lapsed = tenancy.lapsed_membership(kobayashi.user, mito.pk)
    assert tenancy.lapse_message(lapsed).startswith("この組織の所属期間は終了しています")
    with pytest.raises(ValidationError, match=r"既に.*までで終了しています"):
        end_membership(mito, actor=SETUP, membership=membership, on=_today())


def test_a_membership_not_yet_begun_is_not_valid(kobayashi: Any, toyama: Any) -> None:
    start = _today() + timedelta(days=7)
    add_membership(toyama, actor=SETUP, user=kobayashi.user, valid_from=start)
    assert tenancy.membership_in(kobayashi.user, toyama.pk) is None
    assert tenancy.membership_in(kobayashi.user, toyama.pk, on=start) is not None
    lapsed = tenancy.lapsed_membership(kobayashi.user, toyama.pk)
    assert tenancy.lapse_message(lapsed) == (
        f"組織「富山市管工事協同組合」での所属期間は{start.isoformat()}から始まります。"
    )
    # The only valid membership is still mito's, so mito acts without a choice.
    assert access.organization_of(kobayashi.user) == kobayashi.organization


def test_changing_the_temporary_password_clears_it_in_every_organisation(
    mito: Any, toyama: Any
) -> None:
    from kitei.people.services import clear_temporary_password  # noqa: PLC0415

    newcomer = make_person(mito, "kondo", "近藤 新", must_change_password=True)
    joined = add_membership(toyama, actor=SETUP, user=newcomer.user, kind="support")
    assert joined.person.must_change_password  # the mark follows the account
    clear_temporary_password(user=newcomer.user, actor=newcomer.user)
    assert not Person.objects.filter(user=newcomer.user, must_change_password=True).exists()
    assert _actions(mito)[-1] == _actions(toyama)[-1] == "change_temporary_password"


# --- the command line ------------------------------------------------------------------------


def test_cli_adds_lists_and_ends_memberships(
    kobayashi: Any, toyama: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    until = (_today() + timedelta(days=60)).isoformat()
    args = ["membership", "add", "--org", "toyama", "--user", "kobayashi"]
    assert main([*args, "--kind", "external_auditor", "--until", until]) == 0
    out = capsys.readouterr().out
    assert f"kitei: kobayashi is a member of toyama as external_auditor from {_today()}" in out
    assert main(["membership", "list", "--org", "toyama"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split("\t") == [
        "kobayashi",
        "小林 県雄",
        "external_auditor",
        _today().isoformat(),
        until,
        "有効",
    ]
    record = ChangeRecord.objects.filter(organization=toyama, action="add_membership").get()
    assert record.actor_name.startswith("os:")
    assert "kitei membership add" in record.actor_name
    assert main(["membership", "end", "--org", "toyama", "--user", "kobayashi"]) == 0
    assert tenancy.membership_in(kobayashi.user, toyama.pk) is not None  # last day: today
    assert main(["membership", "list", "--org", "toyama"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split("\t")[4] == _today().isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--org", "nowhere", "--user", "kobayashi"], "kitei: no organisation 'nowhere'"),
        (
            ["add", "--org", "toyama", "--user", "nobody"],
            "kitei: アカウント「nobody」はありません。",
        ),
        (
            ["add", "--org", "toyama", "--user", "kobayashi", "--kind", "external_auditor"],
            "kitei: 外部監査人の所属には終了日が必要です。",
        ),
        (
            ["add", "--org", "toyama", "--user", "kobayashi", "--kind", "guest"],
            "kitei: 所属の種類「guest」はありません",
        ),
        (
            ["add", "--org", "mito", "--user", "kobayashi", "--as", "suzuki"],
            "kitei: 「職員名簿と役割の管理」の権限がありません。",
        ),
        (
            ["end", "--org", "toyama", "--user", "kobayashi"],
            "kitei: 「kobayashi」には、組織「toyama」で",
        ),
    ],
)
@pytest.mark.usefixtures("kobayashi", "suzuki", "toyama")
def test_cli_errors_are_one_line_and_write_nothing(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = ChangeRecord.objects.count()
    assert main(["membership", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert ChangeRecord.objects.count() == before


def test_cli_as_an_ended_member_is_refused(
    kobayashi: Any, mito: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)
    [membership] = Membership.objects.filter(user=admin.user)
    end_membership(mito, actor=SETUP, membership=membership, on=_today() - timedelta(days=1))
    args = ["membership", "add", "--org", "mito", "--user", "kobayashi", "--as", "admin_ito"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("kitei: 「admin_ito」: この組織の所属期間は終了しています")
    assert err.count("\n") == 1


def test_cli_creates_an_external_auditors_account_with_a_temporary_password(
    toyama: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    until = (_today() + timedelta(days=30)).isoformat()
    args = ["membership", "add", "--org", "toyama", "--user", "watanabe"]
    args += ["--kind", "external_auditor", "--until", until, "--create-account"]
    assert main(args) == 2
    assert capsys.readouterr().err == "kitei: 新しいアカウントには氏名（--name）が必要です。\n"
    assert main([*args, "--name", "渡辺 監査"]) == 0
    captured = capsys.readouterr()
    [password] = captured.out.splitlines()
    assert "shown only this once" in captured.err
    [membership] = Membership.objects.filter(user__username="watanabe")
    assert membership.user.check_password(password)
    assert (membership.kind, membership.valid_from, membership.valid_until.isoformat()) == (
        MembershipKind.EXTERNAL_AUDITOR,
        _today(),
        until,
    )
    assert membership.person.name == "渡辺 監査"
    assert membership.person.must_change_password
    record = ChangeRecord.objects.get(organization=toyama, action="create_person")
    assert '"membership":"external_auditor"' in record.after


def test_the_person_page_lists_the_persons_memberships(kobayashi: Any, mito: Any) -> None:
    admin = make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)
    activate_totp(admin)
    [membership] = Membership.objects.filter(user=kobayashi.user)
    end_membership(mito, actor=SETUP, membership=membership, on=_today() + timedelta(days=5))
    page = client_for("admin_ito").get(f"/people/{kobayashi.pk}/").content.decode()
    assert "所属（メンバーシップ）" in page
    assert "職員等" in page
    assert (_today() + timedelta(days=5)).isoformat() in page
