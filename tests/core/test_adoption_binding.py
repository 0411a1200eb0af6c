"""An organisation adopts a model pack only by binding the adopted pack (a recorded upgrade)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.cli import main
from kitei.core.access import engine_for
from kitei.core.models import ChangeRecord, Organization
from kitei.policy import load_pack

ROLES = """\
roles:
  members_and_staff: staff
  information_security_manager: {id: information_security_manager, title: 情報セキュリティ管理者,
    holder: 各課の課長}
"""
TAKE_OUT = {"action": "asset.take_out", "actor": {"roles": ["職員等"]}}


@pytest.mark.django_db
def test_requests_get_adopted_decisions_once_the_organisation_binds_the_adopted_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["org", "create", "--slug", "gama", "--name", "蒲郡市", "--pack", "gamagori-city"])
        == 0
    )
    org = Organization.objects.get(slug="gama")
    assert engine_for(org.pack_id, org.pack_digest).decide(TAKE_OUT).effect == "undetermined"
    (tmp_path / "roles.yaml").write_text(ROLES, encoding="utf-8")
    argv = [
        "policy", "adopt", "gamagori-city", "--from", "mito-city-council",
        "--map", str(tmp_path / "roles.yaml"), "--decided-by", "情報セキュリティ委員会",
        "--decided-on", "2026-12-01", "--out", str(tmp_path / "adopted"),
    ]  # fmt: skip
    assert main(argv) == 0
    # written, not yet adopted: the organisation still runs its own pack
    org.refresh_from_db()
    assert engine_for(org.pack_id, org.pack_digest).decide(TAKE_OUT).effect == "undetermined"
    pack = str(tmp_path / "adopted" / "pack.yaml")
    assert main(["org", "upgrade", "--org", "gama", "--pack", pack]) == 0
    capsys.readouterr()
    org.refresh_from_db()
    own, model = load_pack("gamagori-city").pack, load_pack("mito-city-council").pack
    assert org.pack_version == f"{own.version}+mito-city-council.{model.version}"
    decision = engine_for(org.pack_id, org.pack_digest).decide(TAKE_OUT)
    assert decision.effect == "approval_required"
    cited = next(r for r in decision.reasons if r.clause == "6-1(1)ウ(イ)")
    assert cited.source == "002_ecf5b63335077659.txt"
    assert cited.adopted_from.startswith("mito-city-council ")
    assert "情報セキュリティ委員会" in cited.adopted_from
    assert ChangeRecord.objects.filter(organization=org, action="upgrade_pack").count() == 1
