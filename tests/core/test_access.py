"""The one permission question: grants come from the pack, every service asks, refusals say why."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied
from django.test import Client

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.core.services import upgrade_pack
from kitei.policy import load_pack
from kitei.policy.loader import PackError, pack_dir
from tests.conftest import PASSWORD, SETUP, activate_totp, make_person

SRC = Path(access.__file__).resolve().parents[1]


def _client(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.get_username(), password=PASSWORD)
    return client


@pytest.mark.django_db
def test_the_auditor_reads_the_audit_trail_because_the_pack_says_so(mito: Any) -> None:
    auditor = make_person(mito, "kansa", "監査 一子", roles=("auditor",))
    verdict = access.check(auditor.user, "audit.read", mito)
    assert verdict.allowed
    assert [(r.clause, r.role) for r in verdict.reasons] == [("10-1(2)ア", "監査を行う者")]
    assert "被監査部門から独立した者" in verdict.reasons[0].quote
    assert _client(auditor).get("/audit/").status_code == 200


@pytest.mark.django_db
def test_a_refusal_page_names_the_permission_and_who_has_it(mito: Any, suzuki: Any) -> None:
    response = _client(suzuki).get("/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "「監査証跡の閲覧」の権限がありません" in page
    for clause in ("8-2(2)", "10-1(1)", "10-1(2)ア"):
        assert clause in page
    assert "組織管理者が行えます" in page


@pytest.fixture
def pack_without_auditor_grant(tmp_path: Path) -> Path:
    """The shipped mito pack with the 監査を行う者's grants removed (and a new version)."""
    target = tmp_path / "mito" / "pack.yaml"
    target.parent.mkdir()
    shutil.copy(load_pack("mito-city-council").path, target)
    text = target.read_text(encoding="utf-8")
    start = text.index("  - id: auditor\n")
    grants = text.index("    grants:\n", start)
    end = text.index("    title:", grants)
    text = text[:grants] + text[end:]
    current = f'version: "{load_pack("mito-city-council").pack.version}"'
    target.write_text(text.replace(current, 'version: "9.9.9"', 1), "utf-8")
    return target


@pytest.mark.django_db
def test_removing_a_grant_from_the_pack_removes_the_permission(
    mito: Any, pack_without_auditor_grant: Path
) -> None:
    auditor = make_person(mito, "kansa", "監査 一子", roles=("auditor",))
    assert access.check(auditor.user, "audit.read", mito).allowed
    upgrade_pack(mito, actor=SETUP, pack=str(pack_without_auditor_grant))
    verdict = access.check(auditor.user, "audit.read", mito)
    assert not verdict.allowed
    assert "10-1(2)ア" not in verdict.message
    assert _client(auditor).get("/audit/").status_code == 403


def test_a_grant_of_an_unknown_permission_is_a_pack_error(tmp_path: Path) -> None:
    target = tmp_path / "pack.yaml"
    text = (pack_dir() / "mito-city-council" / "pack.yaml").read_text(encoding="utf-8")
    target.write_text(text.replace("permission: audit.read", "permission: audit.reed", 1))
    with pytest.raises(PackError, match=r"pack.yaml:\d+: unknown permission 'audit.reed'"):
        load_pack(target)


def test_a_grant_cites_a_clause_or_a_note(tmp_path: Path) -> None:
    target = tmp_path / "pack.yaml"
    text = (pack_dir() / "mito-city-council" / "pack.yaml").read_text(encoding="utf-8")
    cited = '      - permission: audit.read\n        clause: "10-1(1)"\n'
    assert cited in text
    target.write_text(text.replace(cited, "      - permission: audit.read\n", 1))
    with pytest.raises(PackError, match="either clause and quote, or a pack note"):
        load_pack(target)


def _pack_ids() -> set[str]:
    ids: set[str] = set()
    for path in pack_dir().glob("*/pack.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids.add(data["id"])
        ids.update(role["id"] for role in data.get("roles", []))
    return ids


# kitei's own words that happen to be spelled like a pack's role id, with where they live.
OWN_VOCABULARY = {
    ("incidents/choices.py", "contractor"): "the incident flag 委託事業者が関わる (§5.1 flags)",
    ("audits/choices.py", "contractor"): "the audit type 委託事業者の監査 (10-1(3))",
    ("incidents/choices.py", "member_firm"): "the flag of issue 11's CLI contract (--flag)",
    ("policy/model_incidents.py", "member_firm"): "a step's `when: {reporter: member_firm}`",
    ("policy/model_incidents.py", "secretariat"): "a step's `when: {reporter: secretariat}`",
    ("policy/loader.py", "ciso"): "the key `incident_triage.ciso` of the pack schema",
}


def test_no_pack_or_role_id_in_the_code() -> None:
    """Permissions come from the pack: no Python or template names a pack or one of its roles.

    Demo builders (which build a plausible organisation for a named pack) and migrations
    are the exceptions DESIGN.md allows; `OWN_VOCABULARY` lists kitei's own schema words
    that a pack also uses as a role id.
    """
    ids = _pack_ids()
    assert {"mito-city-council", "ciso", "information_security_manager"} <= ids
    pattern = re.compile(r"[\"'](" + "|".join(map(re.escape, sorted(ids))) + r")[\"']")
    found = []
    for path in sorted([*SRC.rglob("*.py"), *SRC.rglob("*.html")]):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("packs/") or "/migrations/" in rel or path.name == "demo.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            found += [
                f"{rel}:{n}: {m.group(1)}"
                for m in pattern.finditer(line)
                if (rel, m.group(1)) not in OWN_VOCABULARY
            ]
    assert found == []


@pytest.mark.django_db
def test_a_department_grant_reaches_only_its_department(mito: Any, sato: Any, somu: Any) -> None:
    from kitei.people.services import create_department  # noqa: PLC0415

    jinji = create_department(mito, actor=SETUP, name="人事課")
    assert access.check(sato.user, "assets.manage", somu).allowed
    refused = access.check(sato.user, "assets.manage", jinji)
    assert not refused.allowed
    assert "情報セキュリティ管理者（割り当てられた課について）" in refused.message
    assert access.check(sato.user, "assets.manage", mito).allowed  # somewhere: the list page


@pytest.mark.django_db
def test_a_deputy_holds_the_grant_only_within_the_period(mito: Any, somu: Any) -> None:
    from kitei.people.services import assign_role  # noqa: PLC0415

    deputy = make_person(mito, "dairi", "代理 二郎", department=somu)
    assign_role(mito, actor=SETUP, person=deputy, role_id="auditor",
                valid_from=date(2026, 4, 1), valid_until=date(2026, 6, 30))  # fmt: skip
    assert access.held_roles(deputy.user, on=date(2026, 5, 1)) == {"auditor"}
    assert access.held_roles(deputy.user, on=date(2026, 7, 1)) == set()


@pytest.mark.django_db
def test_checks_never_cross_organisations(mito: Any, tanaka: Any, yamada: Any) -> None:
    assert access.check(tanaka.user, "audit.read", mito).allowed
    assert not access.check(tanaka.user, "audit.read", yamada.organization).allowed
    assert not access.check(yamada.user, "org.view", mito).allowed
    assert not access.check(None, "org.view", mito).allowed


@pytest.mark.django_db
def test_toyama_log_viewer_reads_the_audit_trail_citing_6_3(toyama: Any) -> None:
    viewer = make_person(toyama, "etsuran", "閲覧 三子", roles=("log_viewer",))
    verdict = access.check(viewer.user, "audit.read", toyama)
    assert verdict.allowed
    assert verdict.reasons[0].clause == "6(3)"


@pytest.mark.django_db
def test_the_emergency_exception_report_is_received_by_the_ciso_only(mito: Any, sato: Any) -> None:
    ciso = make_person(mito, "gicho", "議長 太郎", roles=("ciso",))
    activate_totp(ciso)
    assert access.check(ciso.user, "exceptions.receive_report", mito).allowed
    with pytest.raises(PermissionDenied, match="8-4"):
        access.require(sato.user, "exceptions.receive_report", mito)
    assert ChangeRecord.objects.filter(organization=mito).exists()
