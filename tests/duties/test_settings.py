"""Organisation settings with provenance (§5.0): seed, organisation or unset; no defaults."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.cli import main
from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.duties import orgsettings
from kitei.duties.choices import SettingSource
from kitei.duties.models import OrgSetting
from tests.conftest import SETUP


def _set(org: Any, key: str, value: str, *, actor: Any = SETUP, on: date = date(2026, 5, 1)) -> Any:
    return orgsettings.set_setting(
        org,
        actor=actor,
        key=key,
        value=value,
        basis="情報セキュリティ実施手順 第5条",
        decided_by="CISO 議長",
        decided_on=on,
    )


def test_without_a_decision_a_value_is_unset_never_a_default(mito: Any) -> None:
    found = orgsettings.resolve(mito, "duty:log-review:interval")
    assert (found.value, found.source) == (None, SettingSource.UNSET)
    assert found.key.clause == "7-1(6)ウ"
    assert "定期的に点検又は分析" in found.key.quote


def test_a_value_the_seed_gives_comes_from_the_seed_and_cannot_be_overridden(mito: Any) -> None:
    found = orgsettings.resolve(mito, "parameter:log-retention")
    assert (found.value, found.source) == ("P1M", SettingSource.SEED)
    assert orgsettings.resolve(mito, "duty:annual-audit:interval").source == SettingSource.SEED
    with pytest.raises(ValidationError, match="7-1\\(6\\)ア"):
        _set(mito, "parameter:log-retention", "P3M")
    assert not OrgSetting.objects.exists()


def test_an_organisation_decision_is_kept_with_its_basis_and_history(mito: Any) -> None:
    _set(mito, "duty:log-review:interval", "P1M", on=date(2026, 4, 10))
    _set(mito, "duty:log-review:interval", "P3M", on=date(2026, 10, 1))
    found = orgsettings.resolve(mito, "duty:log-review:interval")
    assert (found.value, found.source) == ("P3M", SettingSource.ORGANIZATION)
    assert found.setting is not None
    assert found.setting.basis == "情報セキュリティ実施手順 第5条"
    on_may = orgsettings.resolve(mito, "duty:log-review:interval", on=date(2026, 5, 1))
    assert on_may.value == "P1M"
    assert [h.value for h in orgsettings.history(mito, "duty:log-review:interval")] == [
        "P3M",
        "P1M",
    ]
    records = ChangeRecord.objects.filter(organization=mito, action="set_org_setting")
    assert records.count() == 2
    assert "7-1(6)ウ" in records.order_by("seq").last().after  # type: ignore[union-attr]
    _set(mito, "duty:log-review:interval", "", on=date(2026, 11, 1))  # unset again
    assert orgsettings.resolve(mito, "duty:log-review:interval").source == SettingSource.UNSET


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("duty:log-review:interval", "monthly", "ISO 8601"),
        ("duty:log-review:interval", "PT12H", "ISO 8601"),
        ("duty:log-review:interval", "P0M", "0"),
        ("duty:annual-audit:lead", "PT12H", "ISO 8601"),
        ("duty:no-such-duty:interval", "P1M", "設定できる項目ではありません"),
        ("parameter:deputy-ciso-count", "2", "ポリシー"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    mito: Any, key: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _set(mito, key, value)
    assert not OrgSetting.objects.exists()


def test_basis_and_who_decided_are_required(mito: Any) -> None:
    with pytest.raises(ValidationError, match="根拠"):
        orgsettings.set_setting(
            mito,
            actor=SETUP,
            key="duty:log-review:interval",
            value="P1M",
            basis=" ",
            decided_by="CISO",
            decided_on=date(2026, 5, 1),
        )
    assert not OrgSetting.objects.exists()


def test_only_settings_managers_may_decide(mito: Any, suzuki: Any, admin_ito: Any) -> None:
    with pytest.raises(access.Refusal):
        _set(mito, "duty:log-review:interval", "P1M", actor=suzuki.user)
    _set(mito, "duty:log-review:interval", "P1M", actor=admin_ito.user)
    assert OrgSetting.objects.get().recorded_by == "admin_ito"


def test_settings_are_append_only(mito: Any) -> None:
    row = _set(mito, "duty:log-review:interval", "P1M")
    row.value = "P2M"
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_cli_sets_and_lists_with_provenance(mito: Any, capsys: Any) -> None:
    code = main(
        [
            "settings", "set", "mito", "duty:log-review:interval", "P1M",
            "--basis", "情報セキュリティ実施手順 第5条", "--decided-by", "CISO 議長",
            "--decided-on", "2026-04-10",
        ]
    )  # fmt: skip
    assert code == 0
    capsys.readouterr()
    assert main(["settings", "list", "mito", "--json"]) == 0
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["duty:log-review:interval"]["source"] == "organization"
    assert rows["duty:log-review:interval"]["basis"] == "情報セキュリティ実施手順 第5条"
    assert rows["parameter:log-retention"]["source"] == "seed"
    assert rows["duty:training:interval"]["source"] == "unset"


def test_cli_refusals_are_one_line_and_exit_2(mito: Any, capsys: Any) -> None:
    assert main(["settings", "list", "nowhere"]) == 2
    assert capsys.readouterr().err == "kitei: no organisation 'nowhere'\n"
    args = ["--basis", "x", "--decided-by", "y"]
    assert main(["settings", "set", "mito", "duty:log-review:interval", "weekly", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "ISO 8601" in err
    assert not OrgSetting.objects.exists()
