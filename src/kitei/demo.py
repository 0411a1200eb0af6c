"""`kitei demo`: (re)create a demo database with the five seed organisations on their packs.

Every role of each pack is held by a plausible person (role-scoped to a department or a
system where the pack says so), so every later flow has someone to route to. Demo
accounts share one password and skip the first-login change; administrators still set up
TOTP at first login, as in production. Everyone has an `@example.jp` address except the
last role holder of each organisation, so the administrator's home page shows whom kitei
cannot notify. The personas are printed from the database when the demo is built
(`kitei.core.personas`); the README lists the same table, and a test keeps them equal.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction

from kitei.assets.demo import build_registers
from kitei.core import cli as web_cli
from kitei.core.access import Operator, engine_for
from kitei.core.models import Organization
from kitei.core.services import create_organization, upgrade_pack
from kitei.people import personas
from kitei.people.models import Department, Person
from kitei.people.services import assign_role, create_department, create_person
from kitei.policy import load_pack
from kitei.policy.adoption import adopt
from kitei.policy.demo import ADOPTION_ROLES
from kitei.records.demo import build_activity

DEMO = Operator(name="kitei demo")  # who the audit trail says built the demo data
DEMO_PASSWORD = "kitei-demo-2026"  # published: the demo accounts share it


@dataclass(frozen=True)
class DemoOrg:
    """An organisation of the demo: its pack, departments and the department of its staff."""

    slug: str
    name: str
    pack: str
    departments: tuple[str, ...]
    system: str
    adopts: str = ""  # a shipped pack it adopts as its baseline (a fictional decision)


ORGS = (
    DemoOrg(
        "mito",
        "水戸市議会",
        "mito-city-council",
        ("議会事務局総務課", "議会事務局議事課", "議会事務局調査課"),
        "議会情報システム",
    ),
    DemoOrg(
        "toyama",
        "富山市管工事協同組合",
        "toyama-kankoji-kumiai",
        ("事務局", "業務課"),
        "組合業務システム",
    ),
    DemoOrg(
        "gamagori",
        "蒲郡市",
        "gamagori-city",
        ("企画部DX推進課", "総務部総務課", "市民福祉部市民課"),
        "住民情報システム",
        adopts="mito-city-council",
    ),
    DemoOrg(
        "miyagi",
        "宮城県市町村自治振興センター",
        "miyagi-jichi-center",
        ("総務課", "研修課"),
        "センター業務システム",
    ),
    DemoOrg(
        "shinagawa",
        "品川区",
        "shinagawa-city",
        ("総務部情報推進課", "区民部戸籍住民課", "区長室"),
        "庁内ネットワーク",
    ),
)
SURNAMES = (
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
)
GIVEN = ("一郎", "花子", "健太", "美咲", "大輔", "由美", "翔", "陽子", "誠", "恵")


def reset_database() -> None:
    """Empty the database (or create it) and bring the schema up to date."""
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if Organization.objects.exists() or Person.objects.exists():
        # kitei's flush lifts the audit guards (kitei.core.guards) for its own transaction.
        call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


@transaction.atomic
def build_org(spec: DemoOrg, names: itertools.cycle[str]) -> Organization:
    """Create one organisation: its administrator, staff, a holder of every role, registers."""
    org = create_organization(actor=DEMO, slug=spec.slug, name=spec.name, pack=spec.pack)
    if spec.adopts:
        org = adopt_model(org, spec.adopts)
    depts = [create_department(org, actor=DEMO, name=n) for n in spec.departments]
    engine = engine_for(org.pack_id, org.pack_digest)
    _person(org, f"{spec.slug}-admin", next(names), depts[0], "情報政策担当", admin=True)
    staff = _person(org, f"{spec.slug}-staff", next(names), depts[-1], "主事")
    # System-scoped roles name a registered system: assigned once the registers exist.
    system_roles: list[tuple[Person, str]] = []
    holders = [r for r in engine.pack.roles if r.kind != "user_category"]
    for n, role in enumerate(engine.pack.roles, 1):
        if role.kind == "user_category":
            assign_role(org, actor=DEMO, person=staff, role_id=role.id)
            continue
        dept = depts[0] if role.scope == "department" else None
        holder = _person(
            org,
            f"{spec.slug}-{n:02d}",
            next(names),
            depts[0],
            role.holder,
            email=role is not holders[-1],  # one without an address (who kitei cannot tell)
        )
        if role.scope == "system":
            system_roles.append((holder, role.id))
        else:
            assign_role(org, actor=DEMO, person=holder, role_id=role.id, department=dept)
    build_registers(org, spec, system_roles)
    build_activity(org, actor=DEMO)
    return org


def adopt_model(org: Organization, model: str) -> Organization:
    """The demo's 基本方針-only body adopting a shipped 対策基準 as its baseline (issue 17).

    A fictional decision, marked as such in the pack: `kitei policy adopt` writes the pack
    (the model's rules with the role map of `kitei policy demo`), and binding it is the
    recorded `upgrade_pack`. Its requests then get the model's cited decisions, each marked
    as adopted, where the organisation's own pack leaves them undetermined.
    """
    text = adopt(
        load_pack(org.pack_id),
        load_pack(model),
        ADOPTION_ROLES,
        decided_by="デモ用の架空の決定",
        decided_on="2026-04-01",
    )
    folder = settings.DATA_DIR / "adopted" / org.pack_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    return upgrade_pack(org, actor=DEMO, pack=str(folder / "pack.yaml"))


@functools.cache
def _demo_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 is slow by design


def _person(
    org: Organization,
    username: str,
    name: str,
    dept: Department,
    position: str,
    *,
    admin: bool = False,
    email: bool = True,
) -> Person:
    person = create_person(
        org,
        actor=DEMO,
        name=name,
        username=username,
        password_hash=_demo_hash(),
        department=dept,
        position="" if position == "unspecified" else position[:100],
        email=f"{username}@example.jp" if email else "",
        is_org_admin=admin,
    )
    # Demo accounts share the published password and skip the first-login change.
    Person.objects.filter(pk=person.pk).update(must_change_password=False)
    person.refresh_from_db()
    return person


def build_demo() -> list[Organization]:
    """Reset the database and create all five organisations."""
    reset_database()
    names = itertools.cycle(f"{s} {g}" for g, s in itertools.product(GIVEN, SURNAMES))
    return [build_org(spec, names) for spec in ORGS]


def print_logins(url: str, mail_folder: str) -> None:
    """How to log in, and every persona of the database, in Japanese."""
    print(
        f"kitei デモ: {url} を開き、次のユーザー名でログインしてください"
        f"（パスワードはすべて {DEMO_PASSWORD}）。"
    )
    print(personas.as_text(personas.personas([spec.slug for spec in ORGS])))
    print(f"\nメールは送信せず、1 通ずつファイルとして {mail_folder} に書き出します。")


FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"


def demo_command(args: argparse.Namespace) -> int:
    """`kitei demo [--serve]`: build the demo, print who can log in, then serve if asked."""
    if "KITEI_EMAIL_BACKEND" not in os.environ:
        # The demo's mail goes to files, one per message (gunicorn inherits the variable).
        os.environ["KITEI_EMAIL_BACKEND"] = FILE_MAIL
        settings.EMAIL_BACKEND = FILE_MAIL
    build_demo()
    print_logins(f"http://{args.bind}/", str(settings.EMAIL_FILE_PATH))
    if args.serve:
        args.workers = 2
        if not args.debug:
            _serve_as_production()
        return web_cli.serve(args)
    return 0


def _serve_as_production() -> None:
    """Serve the demo with DEBUG off, as production runs: kitei's own 400/403/404/500 pages.

    Django's debug 404 would list every URL pattern. Static files are still served by
    whitenoise from the installed package (WHITENOISE_USE_FINDERS); without a configured
    key the server gets a throw-away one (demo sessions end when it stops).
    """
    os.environ["KITEI_DEBUG"] = "0"  # gunicorn's workers read the environment
    if not os.environ.get("KITEI_SECRET_KEY"):
        os.environ["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
