"""Pack schema for incidents: kinds, severity levels, step conditions, triage — file:line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kitei.policy import PackError, load_pack
from kitei.policy.loader import resolve_pack_path


def _copy(tmp_path: Path, pack: str) -> Path:
    target = tmp_path / "pack.yaml"
    shutil.copy(resolve_pack_path(pack), target)
    return target


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def _errors(path: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return info.value.errors


def test_mito_kinds_map_to_chain_events_and_name_no_severity() -> None:
    pack = load_pack("mito-city-council").pack
    events = {chain.event for chain in pack.reporting}
    assert [k.title for k in pack.incident_kinds][:2] == [
        "情報セキュリティインシデント",
        "情報資産に対するセキュリティ侵害（おそれを含む）",
    ]
    assert all(k.event in events for k in pack.incident_kinds)
    assert pack.severity_levels == ()
    incident = next(c for c in pack.reporting if c.id == "incident")
    committee = next(s for s in incident.steps if s.clause == "6-3(1)ウ")
    assert committee.when is not None
    assert committee.when.decision == "required"
    assert committee.when.holds({"specific_personal_data"}, severity=None, member_firm=False)
    assert not committee.when.holds(set(), severity=None, member_firm=False)
    assert pack.incident_triage is not None
    assert pack.incident_triage.clause == "6-3(2)ア"


def test_toyama_names_only_the_serious_accident() -> None:
    pack = load_pack("toyama-kankoji-kumiai").pack
    assert [(s.id, s.title) for s in pack.severity_levels] == [("serious", "重大な事故")]
    firm = next(c for c in pack.reporting if c.id == "accident-member-firm")
    cio = firm.steps[-1]
    assert cio.when is not None
    assert cio.when.holds(set(), severity="serious", member_firm=True)
    assert not cio.when.holds(set(), severity=None, member_firm=True)
    assert not cio.when.holds(set(), severity="serious", member_firm=False)
    assert pack.incident_triage is not None
    assert pack.incident_triage.respond is None


def test_basic_policy_packs_have_no_kinds() -> None:
    for pack_id in ("gamagori-city", "miyagi-jichi-center", "shinagawa-city"):
        pack = load_pack(pack_id).pack
        assert pack.incident_kinds == ()
        assert pack.incident_triage is None


def test_unknown_severity_in_when_is_reported_at_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "toyama-kankoji-kumiai")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("{reporter: member_firm, severity: serious}", "{severity: grave}", 1),
        encoding="utf-8",
    )
    line = _line_of(path, "{severity: grave}")
    assert _errors(path) == [f"{path}:{line}: unknown severity level 'grave'"]


def test_unknown_step_kind_is_reported_at_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, "mito-city-council")
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "        kind: notify_party\n        stage: incident",
        "        kind: notice\n        stage: incident",
    )
    path.write_text(text, encoding="utf-8")
    errors = _errors(path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{_line_of(path, 'kind: notice')}: ")


def test_kind_naming_no_chain_event(tmp_path: Path) -> None:
    path = _copy(tmp_path, "mito-city-council")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    event: misdelivery\n    clause:", "    event: mis_delivery\n    clause:"),
        encoding="utf-8",
    )
    line = _line_of(path, "event: mis_delivery")
    assert _errors(path) == [f"{path}:{line}: no reporting chain has event 'mis_delivery'"]


def test_empty_when_and_unknown_triage_role(tmp_path: Path) -> None:
    path = _copy(tmp_path, "mito-city-council")
    text = path.read_text(encoding="utf-8")
    text = text.replace("        when: {decision: required}\n", "        when: {}\n", 1)
    path.write_text(text, encoding="utf-8")
    errors = _errors(path)
    assert len(errors) == 1
    assert "empty when" in errors[0]
    assert errors[0].startswith(f"{path}:{_line_of(path, 'when: {}')}:")
    text = text.replace("        when: {}\n", "        when: {decision: required}\n", 1)
    path.write_text(
        text.replace("  role: csirt\n  ciso: ciso", "  role: cert\n  ciso: ciso"), encoding="utf-8"
    )
    line = _line_of(path, "role: cert")
    (error,) = _errors(path)  # with "did you mean" and the valid ids (kitei.policy.messages)
    assert error.startswith(f"{path}:{line}: undefined role 'cert' (did you mean 'csirt'? one of: ")
