"""`kitei policy schema`: the pack schema reference generated from the model, and its page."""

from __future__ import annotations

import json

import pytest

from kitei.cli import main
from kitei.policy.model import Pack, PeriodicDuty, Rule
from kitei.policy.schema_doc import document, schema_markdown

from .conftest import REPO


def _keys(model: str) -> dict[str, dict[str, object]]:
    doc = next(m for m in document(Pack) if m.name == model)
    return {k.key: k.__dict__ for k in doc.keys}


def test_every_model_and_key_of_the_pack_is_listed() -> None:
    names = {m.name for m in document(Pack)}
    assert {"Pack", "Rule", "Role", "Grant", "Condition", "ReportStep", "RecordBook"} <= names
    assert set(_keys("Pack")) == {f.alias or n for n, f in Pack.model_fields.items()}
    assert set(_keys("Rule")) == {f.alias or n for n, f in Rule.model_fields.items()}


def test_types_allowed_values_defaults_and_descriptions() -> None:
    rule = _keys("Rule")
    assert rule["effect"]["allowed"] == ("forbid", "approval_required", "permit")
    assert rule["effect"]["required"] is True
    assert rule["severity"]["default"] == "mandatory"
    assert rule["approvals"]["type"] == "list of mapping (ApprovalStep)"
    assert "canonical actions" in str(rule["action"]["description"])
    step = _keys("ReportStep")
    assert "from" in step  # the YAML key, not the Python name from_
    assert "at least 1 item" in str(step["from"]["description"])
    duty = {k.key: k for k in next(m for m in document(Pack) if m.name == "PeriodicDuty").keys}
    assert "fiscal_year" in duty["frequency"].allowed
    assert "ISO 8601" in duty["frequency"].description
    assert set(PeriodicDuty.model_fields) <= {k.replace("from", "from_") for k in duty} | {"from_"}
    restriction = _keys("Restriction")
    assert "table row" in str(restriction["printed_row"]["description"])


def test_schema_command_json_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "schema", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"]["pack.yaml"] == "Pack"
    assert "asset.provide_external" in data["vocabularies"]["canonical_actions"]
    assert main(["policy", "schema"]) == 0
    assert capsys.readouterr().out == schema_markdown()


def test_the_docs_page_is_current() -> None:
    page = REPO / "docs" / "pack-schema.md"
    assert page.read_text(encoding="utf-8") == schema_markdown(), (
        "docs/pack-schema.md is stale: regenerate it with `make pack-schema` "
        "(kitei policy schema --format markdown > docs/pack-schema.md)"
    )
