"""The named cast and small builders shared by the web tests.

mito: 水戸市議会 on the mito-city-council pack — `sato` 情報セキュリティ管理者 of 総務課,
`suzuki` staff, `tanaka` 情報セキュリティ監査統括責任者 (auditor), `admin_ito` organisation
administrator. toyama: 富山市管工事協同組合 — `yamada` staff.
"""

from __future__ import annotations

from typing import Any

import pytest

from kitei.core.actors import Operator

PASSWORD = "kitei-Test-passw0rd!"

# Who the tests' set-up acts as: a named operator (kitei's own rule lets it do anything).
SETUP = Operator(name="tests")


@pytest.fixture(autouse=True)
def _site_language() -> Any:
    """Each test starts in the site's language: a request in English (the middleware
    activates the chosen language for the thread) must not leak into the next test."""
    from django.utils import translation  # noqa: PLC0415 - settings are configured by now

    with translation.override("ja"):
        yield


def make_org(slug: str = "mito", pack: str = "mito-city-council", name: str = "水戸市議会") -> Any:
    from kitei.core.services import create_organization  # noqa: PLC0415 - needs the app registry

    return create_organization(actor=SETUP, slug=slug, name=name, pack=pack)


def make_person(
    org: Any,
    username: str,
    name: str,
    *,
    roles: tuple[str, ...] = (),
    department: Any = None,
    is_org_admin: bool = False,
    must_change_password: bool = False,
) -> Any:
    from kitei.people.services import assign_role, create_person  # noqa: PLC0415

    person = create_person(
        org,
        actor=SETUP,
        name=name,
        username=username,
        password=PASSWORD,
        department=department,
        is_org_admin=is_org_admin,
    )
    if not must_change_password:
        person.must_change_password = False
        person.save(update_fields=["must_change_password"])
    for role in roles:
        assign_role(org, actor=SETUP, person=person, role_id=role, department=department)
    return person


def activate_totp(person: Any) -> str:
    """Give the person's account a TOTP authenticator; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: PLC0415

    secret = generate_totp_secret()
    TOTP.activate(person.user, secret)
    return secret


def first_number() -> str:
    """The number of an organisation's first request (or a book's first entry) this fiscal
    year: R8-0001 from 2026-04-01 to 2027-03-31."""
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import numbering  # noqa: PLC0415

    return numbering.display(numbering.fiscal_year(timezone.localdate()), 1)


def take_out_plan(days: int = 1, *, destination: str = "市民会館") -> Any:
    """A take-out planned for tomorrow 9:00 (Japan time), back `days` days after it."""
    from datetime import datetime, time, timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from kitei.approvals.takeout import TakeOutPlan  # noqa: PLC0415

    day = timezone.localdate() + timedelta(days=1)
    at = timezone.make_aware(datetime.combine(day, time(9, 0)))
    return TakeOutPlan(
        destination=destination,
        purpose="会議資料の説明",
        take_out_at=at,
        return_on=day + timedelta(days=days),
    )


def file_request_as(
    org: Any,
    applicant: Any,
    action: str,
    *,
    asset: Any = None,
    system: Any = None,
    context: Any = None,
    reason: str = "業務のため",
    take_out: Any = None,
) -> Any:
    """File as the applicant, confirming every obligation the decision names.

    A take-out (asset.take_out) gets `take_out_plan()` unless `take_out` is given.
    """
    from kitei.approvals import services, takeout  # noqa: PLC0415 - needs the app registry

    if take_out is None and takeout.is_take_out(action):
        take_out = take_out_plan()
    kwargs = {
        "actor": applicant.user,
        "applicant": applicant,
        "action": action,
        "asset": asset,
        "system": system,
        "context": context,
        "reason": reason,
        "take_out": take_out,
    }
    try:
        return services.file_request(org, **kwargs)
    except services.ObligationsUnconfirmed as exc:
        confirmed = [ob_id for ob_id, _text in exc.decision.obligations]
    return services.file_request(org, **kwargs, confirmed_obligations=confirmed)


def approve_as(request: Any, person: Any, **kwargs: Any) -> Any:
    """Approve as the person (their own account acting)."""
    from kitei.approvals import services  # noqa: PLC0415

    return services.approve_request(request, actor=person.user, approver=person, **kwargs)


@pytest.fixture
def mito(db: None) -> Any:
    return make_org()


@pytest.fixture
def toyama(db: None) -> Any:
    return make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")


@pytest.fixture
def somu(mito: Any) -> Any:
    from kitei.people.services import create_department  # noqa: PLC0415

    return create_department(mito, actor=SETUP, name="総務課")


@pytest.fixture
def sato(mito: Any, somu: Any) -> Any:
    return make_person(
        mito, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )


@pytest.fixture
def suzuki(mito: Any, somu: Any) -> Any:
    return make_person(mito, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)


@pytest.fixture
def tanaka(mito: Any) -> Any:
    person = make_person(mito, "tanaka", "田中 次郎", roles=("audit_lead",))
    activate_totp(person)
    return person


@pytest.fixture
def yamada(toyama: Any) -> Any:
    return make_person(toyama, "yamada", "山田 三郎", roles=("union_members",))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, content: bytes) -> Any:
    """A file as a browser uploads it (the name and bytes a person chose)."""
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    return SimpleUploadedFile(name, content)


@pytest.fixture
def evidence_dir(settings: Any, tmp_path: Any) -> Any:
    """STORAGES["evidence"] in a folder of the test's own; yields that folder."""
    folder = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def disposal(mito: Any, sato: Any) -> Any:
    """A whole 廃棄記録 entry of mito (002 3(2)コ(イ)), recorded by sato."""
    from kitei.records.services import record_entry  # noqa: PLC0415

    return record_entry(
        mito,
        actor=sato.user,
        book="disposal-record",
        recorded_by=sato,
        fields={
            "datetime": "2026-11-20T10:00",
            "person_in_charge": "佐藤 一郎",
            "processing": "リース会社へ返却（消去証明書あり）",
        },
    )
