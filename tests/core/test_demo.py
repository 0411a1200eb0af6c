"""`kitei demo`: five organisations on their packs, every role held, a chain that verifies."""

from __future__ import annotations

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
