"""`kitei demo`: five organisations on their packs, every role held, a chain that verifies.

Its personas are printed from the data and listed in the README: the two must agree.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kitei.core.access import engine_for, held_roles
from kitei.core.models import Organization
from kitei.core.services import verify_audit_chain
from kitei.demo import DEMO_PASSWORD, ORGS, build_demo, print_logins
from kitei.people import personas
from kitei.people.models import Person, RoleAssignment

from ..conftest import activate_totp

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.django_db(transaction=True)
def test_demo_has_every_role_of_every_pack_held() -> None:
    built = build_demo()
    assert [org.slug for org in built] == [spec.slug for spec in ORGS]
    for spec in ORGS:
        org = Organization.objects.get(slug=spec.slug)
        assert org.pack_id == spec.pack
        scopes = {r.id: r.scope for r in engine_for(org.pack_id, org.pack_digest).pack.roles}
        assignments = RoleAssignment.objects.filter(organization=org).select_related("system")
        assert {a.role_id for a in assignments} == set(scopes), spec.slug
        # System-scoped roles are held for the organisation's main system (a foreign key).
        on_systems = {(a.role_id, a.system.name) for a in assignments if a.system is not None}
        wanted = {(role, spec.system) for role, scope in scopes.items() if scope == "system"}
        assert on_systems == wanted, spec.slug
        assert all(a.system.organization_id == org.pk for a in assignments if a.system)
    mito = Organization.objects.get(slug="mito")
    assert RoleAssignment.objects.filter(organization=mito, system__isnull=False).exists()
    assert verify_audit_chain().ok


@pytest.mark.django_db(transaction=True)
def test_demo_staff_log_in_and_demo_resets() -> None:
    build_demo()
    staff = Person.objects.get(user__username="mito-staff")
    assert "members_and_staff" in held_roles(staff.user)
    client = Client()
    assert client.login(username="mito-staff", password=DEMO_PASSWORD)
    assert "水戸市議会" in client.get("/").content.decode()
    count = Person.objects.count()
    build_demo()  # a second run resets rather than duplicates
    assert Person.objects.count() == count
    assert verify_audit_chain().ok


def _readme_personas() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- personas:start[^>]*-->\n(.*?)\n<!-- personas:end -->", text, re.S)
    assert block is not None, "README.md has no personas block"
    return block.group(1).strip()


@pytest.mark.django_db(transaction=True)
def test_the_readme_lists_exactly_the_personas_the_demo_creates(capsys: Any) -> None:
    build_demo()
    found = personas.personas([spec.slug for spec in ORGS])
    expected = personas.as_markdown(found)
    assert _readme_personas() == expected, (
        "README.md's persona table differs from what kitei demo creates; replace it with:\n"
        + expected
    )
    # Every account of the database is a persona, and kitei demo prints each of them.
    assert {p.username for p in found} == set(
        Person.objects.filter(user__isnull=False).values_list("user__username", flat=True)
    )
    print_logins("http://127.0.0.1:8000/", "data/mail")
    out = capsys.readouterr().out
    for persona in found:
        assert re.search(rf"^  {re.escape(persona.username)} ", out, re.M), persona.username
    assert "data/mail" in out
    mito = {p.username: p for p in found if p.organization == "水戸市議会"}
    assert mito["mito-admin"].totp_at_first_login
    assert not mito["mito-staff"].totp_at_first_login
    assert mito["mito-04"].roles == "情報セキュリティ管理者"
    assert mito["mito-04"].department == "議会事務局総務課"
    # One person per organisation has no address: the administrators' home page shows them.
    assert [p.username for p in found if not p.email] == [
        "mito-16", "toyama-07", "gamagori-03", "miyagi-02", "shinagawa-04"
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_demo_manager_finds_work_waiting_and_the_mail_that_said_so() -> None:
    build_demo()
    manager = Person.objects.get(user__username="mito-04")
    # The staff member's take-out waits on the 課長, who was mailed (the file backend's job
    # in the demo; the test backend keeps it in mail.outbox).
    assert "mito-04@example.jp" in [address for m in mail.outbox for address in m.to]
    activate_totp(manager)  # an administrative role: the home page opens once TOTP is set
    client = Client()
    client.force_login(manager.user)
    page = client.get("/").content.decode()
    for key, count in (("inbox", 1), ("returns", 1), ("overdue", 1)):
        line = page.split(f'id="waiting-{key}"')[1].split("</li>", maxsplit=1)[0]
        assert f'<span class="n">{count}</span>' in line, key
    admin = Person.objects.get(user__username="mito-admin")
    activate_totp(admin)
    client.force_login(admin.user)
    line = client.get("/").content.decode().split('id="waiting-no-address"')[1]
    assert '<span class="n">1</span>' in line.split("</li>", maxsplit=1)[0]


class ServedError(Exception):
    """Raised instead of starting gunicorn."""


@pytest.mark.parametrize(("flags", "debug"), [([], "0"), (["--debug"], "1")])
def test_demo_serves_without_debug_pages_unless_asked(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], debug: str
) -> None:
    from kitei import cli  # noqa: PLC0415
    from kitei.core import cli as web_cli  # noqa: PLC0415

    monkeypatch.setenv("KITEI_DEBUG", "1")  # as `make demo` runs it; restored afterwards
    monkeypatch.delenv("KITEI_SECRET_KEY", raising=False)
    monkeypatch.setenv("KITEI_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    monkeypatch.setattr("kitei.demo.build_demo", list)
    monkeypatch.setattr("kitei.demo.print_logins", lambda *args: None)
    monkeypatch.setattr(web_cli, "setup", lambda: None)
    served: list[str] = []

    def serve(args: Any) -> int:  # in place of exec'ing gunicorn, which reads the environment
        served.append(args.bind)
        raise ServedError

    monkeypatch.setattr(web_cli, "serve", serve)
    with pytest.raises(ServedError):
        cli.main(["demo", "--serve", "--bind", "127.0.0.1:8123", *flags])
    assert served == ["127.0.0.1:8123"]
    assert os.environ["KITEI_DEBUG"] == debug  # gunicorn's workers read it
    assert bool(os.environ.get("KITEI_SECRET_KEY")) == (debug == "0")


@pytest.mark.django_db(transaction=True)
def test_the_demo_body_without_a_coded_standard_runs_on_an_adopted_model() -> None:
    """蒲郡市 adopts 水戸市議会's 対策基準 as its baseline (issue 17): cited, marked adopted."""
    from kitei.assets.models import Asset  # noqa: PLC0415

    from ..conftest import file_request_as  # noqa: PLC0415

    build_demo()
    org = Organization.objects.get(slug="gamagori")
    assert "+mito-city-council." in org.pack_version
    staff = Person.objects.get(user__username="gamagori-staff")
    asset = Asset.objects.filter(organization=org).order_by("pk").first()
    request = file_request_as(org, staff, "asset.take_out", asset=asset)
    adopted = [r for r in request.stored_decision.reasons if r.adopted_from]
    assert adopted
    assert all(r.clause and r.quote for r in adopted)
    assert request.stored_decision.effect == "approval_required"
    client = Client()
    assert client.login(username="gamagori-staff", password=DEMO_PASSWORD)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "モデルのパックから採用: mito-city-council" in page
