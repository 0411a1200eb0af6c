"""Benchmark: the login page and a full login, against the real server on loopback.

Prepares a fresh SQLite database in a temporary directory (migrated, one organisation and
one staff member whose password is no longer temporary, all through the services), starts
`kitei serve --bind 127.0.0.1:PORT` (gunicorn, its default two workers) with production
settings (DEBUG off, a throw-away secret key; `--debug` sets KITEI_DEBUG=1), waits until
it answers, then, one request at a time over http.client:

- GET /accounts/login/ `--requests` times (after `--warmup` untimed ones);
- `--logins` full logins: GET the login page, POST the credentials with its CSRF token,
  expect the redirect to the home page. The POST includes the password check (Argon2id at
  OWASP's parameters, kitei.core.passwords), which is what a login is meant to cost.

Prints one JSON object with p50/p95/p99 in milliseconds and stops the server it started.
Only 127.0.0.1 is ever contacted; every loop is bounded in count and time. A failed
request ends the run with an error; `login_page_goal_met` tells whether the login page's
p95 is under the goal (50 ms, issue 3).

    python bench/login_bench.py [--requests 2000] [--logins 30] [--workers 2] [--debug]
                                [--server kitei|gthread]

`kitei serve` runs gunicorn's sync workers, which close the connection after each
response, so http.client reconnects for every request (`connection_reused_share` 0);
`--server gthread` runs gunicorn directly with threaded workers, which keep it open.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
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

from tests.conftest import SETUP

HOST = "127.0.0.1"
LOGIN = "/accounts/login/"
GOAL_P95_MS = 50.0
USERNAME = "bench_suzuki"
PASSWORD = secrets.token_urlsafe(18)
DEADLINE_S = 600  # the whole run, server start included


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--debug", action="store_true", help="KITEI_DEBUG=1")
    parser.add_argument(
        "--server",
        choices=["kitei", "gthread"],
        default="kitei",
        help="`kitei serve` as shipped, or gunicorn's threaded workers, which keep connections",
    )
    parser.add_argument("--prepare", help=argparse.SUPPRESS)  # internal: set up the database
    return parser.parse_args(argv)


def prepare() -> None:
    """Migrate and create the organisation and the staff member (run in a child process)."""
    import django  # noqa: PLC0415 - configured by the environment the parent set

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    from kitei.core.services import create_organization  # noqa: PLC0415
    from kitei.people.services import (  # noqa: PLC0415
        clear_temporary_password,
        create_department,
        create_person,
    )

    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        org = create_organization(
            actor=SETUP, slug="bench", name="ベンチマーク市", pack="mito-city-council"
        )
        department = create_department(org, actor=SETUP, name="総務課")
        person = create_person(
            org,
            actor=SETUP,
            name="鈴木 一郎",
            username=USERNAME,
            password=os.environ["KITEI_BENCH_PASSWORD"],
            department=department,
        )
    assert person.user is not None
    clear_temporary_password(user=person.user, actor=SETUP)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    env = {**os.environ, "KITEI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "kitei.settings"}
    env["KITEI_DEBUG"] = "1" if args.debug else "0"
    env["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["KITEI_BENCH_PASSWORD"] = PASSWORD
    env.pop("KITEI_DATABASE_URL", None)
    return env


class Client:
    """One keep-alive connection to the server (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.reused = 0
        self.requests = 0

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request; returns status, headers (lower-case names) and body."""
        self.reused += self.conn.sock is not None
        self.requests += 1
        self.conn.request(
            method, path, body=body, headers={"Accept-Language": "ja", **(headers or {})}
        )
        response = self.conn.getresponse()
        data = response.read()
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
        head = {k.lower(): v for k, v in response.getheaders()}
        head["set-cookie"] = "\n".join(cookies)
        return response.status, head, data

    def close(self) -> None:
        self.conn.close()


def _cookies(set_cookie: str) -> dict[str, str]:
    jar = {}
    for line in set_cookie.splitlines():
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> float:
    """Poll the login page until it answers 200; seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < 120:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            client = Client(port)
            status, _, _ = client.request("GET", LOGIN)
            client.close()
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer within 120 s")


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "n": len(samples_ms),
        "p50_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(samples_ms), 2),
    }


def _time_login_page(client: Client, count: int, deadline: float) -> list[float]:
    samples = []
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        status, _, body = client.request("GET", LOGIN)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200 or b"csrfmiddlewaretoken" not in body:
            raise RuntimeError(f"GET {LOGIN} answered {status}")
    return samples


def _login_once(client: Client) -> tuple[float, float]:
    """One full login; (whole flow ms, POST alone ms)."""
    started = time.perf_counter()
    status, head, body = client.request("GET", LOGIN)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    csrf = _cookies(head["set-cookie"]).get("csrftoken")
    if status != 200 or token is None or csrf is None:
        raise RuntimeError("the login page gave no CSRF token")
    form = {"login": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1].decode()}
    encoded = urllib.parse.urlencode(form)
    posted = time.perf_counter()
    status, head, _ = client.request(
        "POST",
        LOGIN,
        body=encoded,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://{HOST}{LOGIN}",
        },
    )
    done = time.perf_counter()
    if status != 302 or "sessionid=" not in head["set-cookie"]:
        raise RuntimeError(f"login answered {status} → {head.get('location')}")
    return (done - started) * 1000, (done - posted) * 1000


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Prepare, serve, measure, stop; the figures."""
    deadline = time.monotonic() + DEADLINE_S
    with tempfile.TemporaryDirectory(prefix="kitei-login-bench-") as data_dir:
        env = _environment(args, data_dir)
        subprocess.run(
            [sys.executable, __file__, "--prepare", "1"], env=env, check=True, timeout=300
        )
        port = _free_port()
        with Path(data_dir, "server.log").open("wb") as log:
            server = subprocess.Popen(
                _server_command(args, port),
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                startup_s = _wait_until_up(port, server)
                client = Client(port)
                _time_login_page(client, args.warmup, deadline)
                page = _time_login_page(client, args.requests, deadline)
                flows = [_login_once(Client(port)) for _ in range(args.logins)]
                reused = client.reused / client.requests
                client.close()
            finally:
                _stop(server)
    login_page = _percentiles(page)
    return {
        "server": SERVERS[args.server].format(workers=args.workers) + ", SQLite",
        "debug": args.debug,
        "startup_s": round(startup_s, 2),
        "login_page": login_page,
        "login_page_goal_p95_ms": GOAL_P95_MS,
        "login_page_goal_met": login_page["p95_ms"] < GOAL_P95_MS,
        "connection_reused_share": round(reused, 3),
        "login_flow": _percentiles([f for f, _ in flows]),
        "login_post": _percentiles([p for _, p in flows]),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


SERVERS = {
    "kitei": "kitei serve (gunicorn, {workers} sync workers: a connection per request)",
    "gthread": "gunicorn --worker-class gthread ({workers} workers × 4 threads, keep-alive)",
}


def _server_command(args: argparse.Namespace, port: int) -> list[str]:
    bind = f"{HOST}:{port}"
    if args.server == "kitei":  # the shipped command (it migrates, then execs gunicorn)
        kitei = Path(sys.executable).with_name("kitei")
        return [str(kitei), "serve", "--bind", bind, "--workers", str(args.workers)]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [
        str(gunicorn),
        "kitei.wsgi:application",
        f"--bind={bind}",
        f"--workers={args.workers}",
        "--worker-class=gthread",
        "--threads=4",
        "--keep-alive=5",
    ]


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON."""
    args = _parse(argv)
    if args.prepare:
        prepare()
        return 0
    figures = run(args)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
