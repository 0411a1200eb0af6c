"""Debian's headless Chromium driven by Playwright against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (apt-get install chromium
fonts-noto-cjk, as .ci/run does). Without it the browser tests skip, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class SerialWSGIServer(WSGIServer):
    """Django's test server answering one request at a time.

    The live server shares the test's in-memory SQLite connection with its request threads;
    two requests at once (a page and the htmx badge it loads, each saving the session) can
    meet on that one connection ("database table is locked"). One at a time, they cannot.
    """

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def serial_live_server() -> Iterator[None]:
    """Make pytest-django's live server (session-scoped, started later) a serial one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", SerialWSGIServer)
        yield


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Debian Chromium binary, or a skip (a failure under CI=true) when it is missing."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)")
    return CHROMIUM


@pytest.fixture
def page(chromium: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A fresh Japanese-language browser tab; the browser closes after the test."""
    # Playwright's sync API keeps an event loop in this thread, which Django's ORM would take
    # for async code; the test body's database calls are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        # Anything the Content-Security-Policy blocks (an inline script or style …) fails the test.
        blocked: list[str] = []
        tab.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            yield tab
            assert blocked == [], "blocked by the Content-Security-Policy"
        finally:
            context.close()
            browser.close()
            # Connections the test opened while Playwright's loop ran live in that loop's
            # context (asgiref's Local); close them here or PostgreSQL keeps the session open.
            connections.close_all()
