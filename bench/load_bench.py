"""Benchmark: kitei under load — many people at once against `kitei serve` on loopback.

Prepares a fresh SQLite database in a temporary directory (in a child process: migrated;
one organisation with `--people` staff members whose passwords are set and no longer
temporary, all through the services, so every password is an Argon2id hash as in
production; `--assets` assets and 50 systems bulk-created as setup data), starts
`kitei serve --bind 127.0.0.1:PORT --workers N` with production settings (DEBUG off), and
runs, for each level of `--users` and each think time of `--think`, a bounded asyncio
client:

- every user logs in once (GET the login page, POST the credentials with its CSRF token),
  the logins spread evenly over `--login-spread` seconds: all from 127.0.0.1, i.e. one
  address, as a 課 behind one proxy or NAT address at 8:30;
- then, until `--duration` seconds after the last login started, each user goes round the
  common pages: home `/`, a search of the asset list (`/assets/?q=…`), an asset's page,
  the request preview (`POST /approvals/preview/`, what the request form's htmx asks for)
  and the inbox `/approvals/inbox/`, waiting between clicks a random 0.5–1.5 × the think
  time (0: no pause).

One request per connection (`kitei serve` runs gunicorn's sync workers, which close the
connection after each response). Prints one JSON object: per level, requests/s over the
measured period, p50/p95/p99 (ms) of the pages and of the login POSTs, errors (anything but
the expected status, timeouts, refused connections) and refused logins (the login form
answered instead of the redirect), and how long the login storm took. Only 127.0.0.1 is
contacted; every loop is bounded in count and in time.

    python bench/load_bench.py [--users 50,100,200] [--think 10,0] [--duration 30]
                               [--login-spread 10] [--workers 2] [--people 200]
                               [--assets 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from kitei.core.actors import Operator

HOST = "127.0.0.1"
LOGIN = "/accounts/login/"
SETUP = Operator(name="bench")
PASSWORD = secrets.token_urlsafe(18)
TIMEOUT_S = 60.0  # one request
WORDS = ["議員名簿", "会議録", "契約書", "請求書", "予算書", "名簿", "台帳", "記録"]


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,100,200")
    parser.add_argument("--think", default="10,0", help="seconds between clicks, per run")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--login-spread", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)  # internal: set up the database
    return parser.parse_args(argv)


# ------------------------------------------------------------------------- the database


def prepare(people: int, assets: int) -> None:
    """Migrate, create the organisation, its people and registers (a child process)."""
    import django  # noqa: PLC0415 - configured by the environment the parent set

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    from kitei.assets.models import Asset  # noqa: PLC0415
    from kitei.core.services import create_organization  # noqa: PLC0415
    from kitei.people.services import (  # noqa: PLC0415
        clear_temporary_password,
        create_department,
        create_person,
    )
    from kitei.systems.models import System  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(16)
    with transaction.atomic():
        org = create_organization(
            actor=SETUP, slug="bench", name="ベンチマーク市", pack="mito-city-council"
        )
        departments = [create_department(org, actor=SETUP, name=f"課{n:02d}") for n in range(10)]
        for n in range(people):
            person = create_person(
                org,
                actor=SETUP,
                name=f"職員 {n:03d}",
                username=f"user{n:03d}",
                password=os.environ["KITEI_BENCH_PASSWORD"],
                department=departments[n % len(departments)],
            )
            assert person.user is not None
            clear_temporary_password(user=person.user, actor=SETUP)
        systems = System.objects.bulk_create(
            System(
                organization=org,
                name=f"業務システム{n:02d}",
                department=departments[n % len(departments)],
                zone="lgwan",
                availability="1",
            )
            for n in range(50)
        )
        Asset.objects.bulk_create(
            (
                Asset(
                    organization=org,
                    name=f"令和{rng.randint(1, 8)}年度{rng.choice(WORDS)}{n:06d}",
                    department=rng.choice(departments),
                    classification={"confidentiality": "2", "integrity": "1", "availability": "1"},
                    form="electronic",
                    system=rng.choice(systems) if n % 3 else None,
                )
                for n in range(assets)
            ),
            batch_size=5_000,
        )


def _asset_ids(data_dir: str, count: int) -> list[int]:
    """Some asset ids of the benchmark's database (read with sqlite3, no Django here)."""
    import sqlite3  # noqa: PLC0415

    with sqlite3.connect(Path(data_dir, "kitei.sqlite3")) as db:
        rows = db.execute("SELECT id FROM assets_asset ORDER BY random() LIMIT ?", (count,))
        return [pk for (pk,) in rows]


# -------------------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status: int, cookies: dict[str, str], body: bytes) -> None:
        self.status, self.cookies, self.body = status, cookies, body


async def _request(
    port: int, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
) -> Response:
    """One HTTP/1.1 request on its own connection; the status, cookies set and body."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Referer: http://{HOST}:{port}{path}",
                f"X-CSRFToken: {cookies.get('csrftoken', '')}",
            ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split()[1])
    set_cookies: dict[str, str] = {}
    chunked = False
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            key, _, rest = value.strip().partition("=")
            set_cookies[key] = rest.split(";", 1)[0]
        if name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        content = _unchunk(content)
    return Response(status, set_cookies, content)


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


# ------------------------------------------------------------------------------ a user


class Tally:
    """What one level measured."""

    def __init__(self) -> None:
        self.pages: list[float] = []
        self.by_page: dict[str, list[float]] = {}
        self.logins: list[float] = []
        self.errors: dict[str, int] = {}
        self.refused_logins = 0
        self.login_done: list[float] = []

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _timed(
    tally: Tally, kind: str, call: Any, expect: int, into: list[float]
) -> Response | None:
    started = time.perf_counter()
    try:
        response: Response = await asyncio.wait_for(call, TIMEOUT_S)
    except (OSError, ValueError, IndexError) as exc:
        tally.error(f"{kind}: {type(exc).__name__}")
        return None
    into.append((time.perf_counter() - started) * 1000)
    if response.status != expect:
        tally.error(f"{kind}: HTTP {response.status}")
        return None
    return response


async def _user(
    n: int,
    port: int,
    *,
    start_at: float,
    until: float,
    think: float,
    assets: list[int],
    t: Tally,
) -> None:
    rng = random.Random(n)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    jar: dict[str, str] = {}
    page = await _timed(t, "login page", _request(port, "GET", LOGIN, jar), 200, [])
    if page is None:
        return
    jar.update(page.cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    form = {"login": f"user{n:03d}", "password": PASSWORD}
    form["csrfmiddlewaretoken"] = token[1].decode() if token else ""
    started = time.perf_counter()
    posted = await _request_safe(port, "POST", LOGIN, jar, form)
    t.logins.append((time.perf_counter() - started) * 1000)
    t.login_done.append(time.monotonic())
    if posted is None:
        t.error("login: connection")
        return
    if posted.status == 200:  # the form again: refused (limit) or wrong password
        t.refused_logins += 1
        return
    if posted.status != 302:
        t.error(f"login: HTTP {posted.status}")
        return
    jar.update(posted.cookies)
    while time.monotonic() < until:
        asset = rng.choice(assets)
        word = urllib.parse.quote(rng.choice(WORDS))
        clicks = [
            ("GET", "/", None),
            ("GET", f"/assets/?q={word}", None),
            ("GET", f"/assets/{asset}/", None),
            ("POST", "/approvals/preview/", {"action": "asset.take_out", "asset": str(asset)}),
            ("GET", "/approvals/inbox/", None),
        ]
        for method, path, data in clicks:
            if time.monotonic() >= until:
                return
            kind = "/assets/ID/" if path.startswith("/assets/") and "?" not in path else path
            kind = kind.split("?")[0]
            samples = t.by_page.setdefault(kind, [])
            answer = await _timed(t, kind, _request(port, method, path, jar, data), 200, samples)
            if answer is not None:
                jar.update(answer.cookies)
            if think:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def _request_safe(
    port: int, method: str, path: str, jar: dict[str, str], form: dict[str, str]
) -> Response | None:
    try:
        return await asyncio.wait_for(_request(port, method, path, jar, form), TIMEOUT_S)
    except (OSError, ValueError, IndexError):
        return None


def _percentiles(samples: list[float]) -> dict[str, Any]:
    if len(samples) < 2:
        return {"n": len(samples)}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
    }


async def _level(
    port: int, users: int, think: float, args: argparse.Namespace, assets: list[int]
) -> dict[str, Any]:
    tally = Tally()
    begin = time.monotonic() + 0.5
    spread = args.login_spread
    until = begin + spread + args.duration
    tasks = [
        _user(
            n,
            port,
            start_at=begin + spread * n / users,
            until=until,
            think=think,
            assets=assets,
            t=tally,
        )
        for n in range(users)
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), until - time.monotonic() + 2 * TIMEOUT_S)
    elapsed = time.monotonic() - begin
    tally.pages = [ms for samples in tally.by_page.values() for ms in samples]
    storm = (max(tally.login_done) - begin) if tally.login_done else None
    return {
        "users": users,
        "think_s": think,
        "requests": len(tally.pages) + len(tally.logins),
        "requests_per_s": round((len(tally.pages) + len(tally.logins)) / elapsed, 1),
        "pages": _percentiles(tally.pages),
        "by_page": {kind: _percentiles(ms) for kind, ms in sorted(tally.by_page.items())},
        "login_post": _percentiles(tally.logins),
        "logins_ok": len(tally.logins) - tally.refused_logins - _login_errors(tally),
        "logins_refused": tally.refused_logins,
        "login_storm_s": round(storm, 1) if storm is not None else None,
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _login_errors(tally: Tally) -> int:
    return sum(n for kind, n in tally.errors.items() if kind.startswith("login:"))


# ------------------------------------------------------------------------------ server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    started = time.monotonic()
    while time.monotonic() - started < 120:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if asyncio.run(_request(port, "GET", LOGIN, {})).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not answer within 120 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server this run started (its gunicorn master, then the workers with it)."""
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare, serve, run every level, stop; the figures."""
    levels = [int(n) for n in args.users.split(",")]
    thinks = [float(s) for s in args.think.split(",")]
    if max(levels) > args.people:
        raise SystemExit(f"--people ({args.people}) must be at least the largest --users")
    with tempfile.TemporaryDirectory(prefix="kitei-load-bench-") as data_dir:
        env = {**os.environ, "KITEI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "kitei.settings"}
        env.update(KITEI_DEBUG="0", KITEI_SECRET_KEY=secrets.token_urlsafe(50))
        env["KITEI_BENCH_PASSWORD"] = PASSWORD
        env.pop("KITEI_DATABASE_URL", None)
        env.pop("KITEI_TRUSTED_PROXIES", None)  # every client is 127.0.0.1: one address
        started = time.perf_counter()
        argv = [sys.executable, __file__, "--prepare", "1"]
        argv += ["--people", str(args.people), "--assets", str(args.assets)]
        subprocess.run(argv, env=env, check=True, timeout=900)
        setup_s = time.perf_counter() - started
        assets = _asset_ids(data_dir, 500)
        port = _free_port()
        kitei = Path(sys.executable).with_name("kitei")
        command = [str(kitei), "serve", "--bind", f"{HOST}:{port}", "--workers", str(args.workers)]
        with Path(data_dir, "server.log").open("wb") as log:
            server = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            try:
                _wait_until_up(port, server)
                results = [
                    asyncio.run(_level(port, users, think, args, assets))
                    for think in thinks
                    for users in levels
                ]
            finally:
                _stop(server)
    return {
        "benchmark": "load",
        "server": f"kitei serve (gunicorn, {args.workers} sync workers), SQLite, loopback",
        "people": args.people,
        "assets": args.assets,
        "setup_s": round(setup_s, 1),
        "duration_s": args.duration,
        "login_spread_s": args.login_spread,
        "levels": results,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "note": "the client runs on the same machine and shares its CPUs with the server",
    }


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.prepare:
        prepare(args.people, args.assets)
        return 0
    print(json.dumps(run(args), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
