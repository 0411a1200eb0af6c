"""Fixtures for the pure-Python policy tests (no database)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kitei.policy import Engine, load_pack

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_engine() -> Engine:
    """The small test pack of tests/policy/fixtures/sample."""
    return Engine(load_pack(FIXTURES / "sample"))


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample pack's file, to break in tests."""
    target = tmp_path / "pack.yaml"
    shutil.copy(FIXTURES / "sample" / "pack.yaml", target)
    return target


def seeds_dir() -> Path | None:
    """The seed documents (../shared/seeds beside the clone, or KITEI_SEEDS_DIR)."""
    path = Path(os.environ.get("KITEI_SEEDS_DIR") or REPO.parent / "shared" / "seeds")
    return path if path.is_dir() else None
