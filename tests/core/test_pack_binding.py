"""Organisations run the pack version they are bound to; upgrading is explicit and recorded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kitei.cli import main
from kitei.core.access import engine_for
from kitei.core.models import ChangeRecord, Organization, PackVersion
from kitei.policy import load_pack


@pytest.fixture
def edited_pack(tmp_path: Path) -> Path:
    """A copy of the shipped sample pack file with one rule's message changed."""
    target = tmp_path / "mito" / "pack.yaml"
    target.parent.mkdir()
    shipped = load_pack("mito-city-council")
    shutil.copy(shipped.path, target)
    text = target.read_text(encoding="utf-8")
    current = f'version: "{shipped.pack.version}"'
    assert current in text
    target.write_text(text.replace(current, 'version: "1.0.1"', 1), "utf-8")
    return target


@pytest.mark.django_db
def test_bound_version_is_stored_and_used(mito: Any) -> None:
    stored = PackVersion.objects.get(digest=mito.pack_digest)
    assert stored.pack_id == "mito-city-council"
    engine = engine_for(mito.pack_id, mito.pack_digest)
    assert engine.loaded.digest == mito.pack_digest


@pytest.mark.django_db
def test_upgrade_is_explicit_and_recorded(
    mito: Any, edited_pack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = mito.pack_digest
    assert main(["org", "upgrade", "--org", "mito", "--pack", str(edited_pack)]) == 0
    assert "1.0.1" in capsys.readouterr().out
    mito.refresh_from_db()
    assert mito.pack_version == "1.0.1"
    assert mito.pack_digest != old
    record = ChangeRecord.objects.filter(organization=mito, action="upgrade_pack").get()
    assert old in record.before
    assert mito.pack_digest in record.after
    # Both versions stay available, so decisions made under the old one can be replayed.
    assert engine_for(mito.pack_id, old).pack.version == load_pack("mito-city-council").pack.version
    assert engine_for(mito.pack_id, mito.pack_digest).pack.version == "1.0.1"


@pytest.mark.django_db
def test_org_create_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["org", "create", "--slug", "kaga", "--name", "加賀テスト", "--pack", "gamagori-city"])
        == 0
    )
    assert Organization.objects.get(slug="kaga").pack_id == "gamagori-city"
    assert main(["org", "list"]) == 0
    assert "kaga\tgamagori-city" in capsys.readouterr().out
    assert main(["org", "create", "--slug", "x", "--name", "x", "--pack", "nope"]) == 2
    assert "no such pack" in capsys.readouterr().err
    assert main(["org", "upgrade", "--org", "nowhere"]) == 2
