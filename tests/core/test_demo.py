"""`kitei demo`: five organisations on their packs, every role held, a chain that verifies."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from kitei.core.access import engine_for, held_roles
from kitei.core.demo import DEMO_PASSWORD, ORGS, build_demo
from kitei.core.models import Organization
from kitei.core.services import verify_audit_chain
from kitei.people.models import Person, RoleAssignment


@pytest.mark.django_db(transaction=True)
def test_demo_has_every_role_of_every_pack_held() -> None:
    logins = build_demo()
    assert sorted(logins) == sorted(spec.name for spec in ORGS)
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
    monkeypatch.setattr("kitei.core.demo.build_demo", dict)
    monkeypatch.setattr("kitei.core.demo.print_logins", lambda *args: None)
    monkeypatch.setattr(web_cli, "setup", lambda: None)
    served: list[str] = []

    def serve(args: Any) -> int:  # in place of exec'ing gunicorn, which reads the environment
        served.append(args.bind)
        raise ServedError

    monkeypatch.setattr(web_cli, "_serve", serve)
    with pytest.raises(ServedError):
        cli.main(["demo", "--serve", "--bind", "127.0.0.1:8123", *flags])
    assert served == ["127.0.0.1:8123"]
    assert os.environ["KITEI_DEBUG"] == debug  # gunicorn's workers read it
    assert bool(os.environ.get("KITEI_SECRET_KEY")) == (debug == "0")
