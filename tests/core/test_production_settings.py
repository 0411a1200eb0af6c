"""Production settings: `kitei check --deploy`, HTTPS from the environment, and the CSP."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import kitei

SRC = Path(kitei.__file__).resolve().parent
PRODUCTION = {
    "KITEI_HTTPS": "1",
    "KITEI_ALLOWED_HOSTS": "kitei.example.lg.jp",
    "KITEI_CSRF_TRUSTED_ORIGINS": "https://kitei.example.lg.jp",
}


def _kitei(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command on kitei's own settings (not the tests'), without KITEI_DEBUG."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KITEI_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="kitei.settings",
        KITEI_DATA_DIR=str(tmp_path),
        KITEI_SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "kitei", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_when_configured_for_production(tmp_path: Path) -> None:
    done = _kitei(["check", "--deploy"], tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "system checks passed" in done.stdout


def test_check_deploy_names_each_missing_production_setting(tmp_path: Path) -> None:
    done = _kitei(["check", "--deploy"], tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    for check in ("W004", "W008", "W012", "W016"):  # HSTS, redirect, both cookies
        assert sum(line.startswith(f"kitei: security.{check}: ") for line in lines) == 1
    assert lines[-1] == "kitei: 4 issue(s) found"
    # Without --deploy the same settings pass: they are fine for development.
    assert _kitei(["check"], tmp_path).returncode == 0


def test_https_settings_come_from_the_environment(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.CSRF_TRUSTED_ORIGINS,"
        " s.TRUSTED_PROXIES)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KITEI_")}
    env.update(
        KITEI_DATA_DIR=str(tmp_path),
        KITEI_SECRET_KEY="k" * 60,
        DJANGO_SETTINGS_MODULE="kitei.settings",
    )

    def settings(**extra: str) -> str:
        run = [sys.executable, "-c", code]
        done = subprocess.run(run, env={**env, **extra}, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert settings() == "False False False 0 False None [] []"
    production = settings(
        **PRODUCTION,
        KITEI_HSTS_SECONDS="3600",
        KITEI_TRUST_PROXY_HEADER="1",
        KITEI_TRUSTED_PROXY_COUNT="1",
    )
    assert production == (
        "True True True 3600 True ('HTTP_X_FORWARDED_PROTO', 'https') "
        "['https://kitei.example.lg.jp'] ['127.0.0.1', '::1']"
    )
    # The proxies by address or network; the older count then changes nothing.
    listed = settings(KITEI_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/24", KITEI_TRUSTED_PROXY_COUNT="1")
    assert listed.endswith("['10.0.0.5', '10.1.0.0/24']")
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "KITEI_TRUSTED_PROXIES": "nginx.local"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "KITEI_TRUSTED_PROXIES must list addresses or networks" in bad.stderr


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_inline_script(
    suzuki: Any,
) -> None:
    client = Client()
    client.force_login(suzuki.user)
    for url in ("/accounts/login/", "/", "/assets/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in policy


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.I), "an inline event handler (onclick=…)"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"<[^>]+\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on (htmx evaluates no code)"),
]


def test_no_template_holds_inline_script_or_style() -> None:
    """The CSP allows only files from /static/: any of these would be blocked in the browser."""
    found = []
    for template in sorted(SRC.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line}: {what}")
    assert found == []
