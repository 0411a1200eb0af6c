"""`kitei createadmin`, `kitei policy demo` and `kitei serve` through the real command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from kitei.cli import main


@pytest.mark.django_db
def test_createadmin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KITEI_ADMIN_PASSWORD", "short")
    assert main(["createadmin", "--username", "root"]) == 2
    assert "12" in capsys.readouterr().err  # Django's minimum length validator, in Japanese
    monkeypatch.setenv("KITEI_ADMIN_PASSWORD", "passwordpassword")
    assert main(["createadmin", "--username", "root"]) == 2
    assert "推測されやすいパスワードです。" in capsys.readouterr().err  # zxcvbn, in Japanese
    monkeypatch.setenv("KITEI_ADMIN_PASSWORD", "a-long-enough-Passw0rd")
    assert main(["createadmin", "--username", "root"]) == 0
    assert get_user_model().objects.get(username="root").is_superuser
    assert main(["createadmin", "--username", "root"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_policy_demo_walks_every_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "demo"]) == 0
    out = capsys.readouterr().out
    for name in (
        "水戸市議会",
        "富山市管工事協同組合",
        "蒲郡市",
        "品川区",
        "宮城県市町村自治振興センター",
    ):
        assert name in out
    assert "根拠:" in out


def test_serve_answers_the_login_page(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "KITEI_DEBUG": "1",
        "KITEI_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kitei.settings",
    }
    env.pop("KITEI_DATABASE_URL", None)  # its own SQLite file, not the test database
    server = subprocess.Popen(
        [sys.executable, "-m", "kitei", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = ""
        for _ in range(120):  # bounded: at most about 60 s
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    page = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "ログイン" in page
        assert (tmp_path / "kitei.sqlite3").is_file()  # serve migrated its database first
    finally:
        server.terminate()
        server.wait(timeout=30)
