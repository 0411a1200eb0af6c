"""`kitei demo` fills both registers of every demo organisation in the pack's own terms."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kitei.assets.models import Asset
from kitei.core.access import engine_for
from kitei.core.models import Organization
from kitei.core.services import verify_audit_chain
from kitei.demo import ORGS, build_demo
from kitei.systems import queries
from kitei.systems.models import System


@pytest.mark.django_db(transaction=True)
def test_demo_registers_follow_each_pack() -> None:
    build_demo()
    today = timezone.localdate()
    for spec in ORGS:
        org = Organization.objects.get(slug=spec.slug)
        pack = engine_for(org.pack_id, org.pack_digest).pack
        assets = Asset.objects.filter(organization=org)
        assert 28 <= assets.count() <= 36, spec.slug
        assert assets.values("department").distinct().count() == len(spec.departments)
        axes = {a.id for a in pack.classification.axes}
        decided = assets.filter(classification_status="decided")
        if axes:
            assert all(set(a.classification) == axes for a in decided), spec.slug
            assert assets.filter(classification_status="unclear").count() == 1
        else:
            assert not decided.exists(), spec.slug  # no scheme: every class is undecided
        assert assets.filter(copy_of__isnull=False).count() == 1
        systems = System.objects.filter(organization=org)
        assert 3 <= systems.count() <= 5
        assert systems.filter(name=spec.system).exists()
        software = queries.software_of(org)
        assert software.filter(queries.ended(today)).exists()
        assert software.filter(queries.ends_during_use(today)).exists()
    assert verify_audit_chain().ok
