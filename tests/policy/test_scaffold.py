"""`kitei policy new`: a pack skeleton and cases template from a seed, which load as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.cli import main
from kitei.policy import load_pack
from kitei.policy.citations import check_citations
from kitei.policy.loader import load_cases

SEED = """\
1 目的

この対策基準は、テスト市（以下「本市」という。）の対策を定める。

2 組織体制

(1) 最高情報セキュリティ責任者

ア 副市長を CISO とする。CISO は、最終決定権限を有する。

(2) 情報セキュリティ管理者

ア 各課を所管する課長を情報セキュリティ管理者とする。

3 情報資産の分類

(1) 情報資産の分類

ア 機密性による情報資産の分類

分類\t分類基準\t取扱制限
機密性 2\t公表を前提としない情報資産\t施錠保管
機密性 1\t機密性 2 以外の情報資産\t
"""


def test_new_writes_a_skeleton_that_loads_and_cites_the_seed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "seed.txt").write_text(SEED, encoding="utf-8")
    folder = tmp_path / "test-city"
    argv = ["policy", "new", "test-city", "--seed", str(seeds / "seed.txt"), "--out", str(folder)]
    assert main(argv) == 0
    assert "(2 roles, 2 levels, 9 clauses as comments)" in capsys.readouterr().out
    loaded = load_pack(folder)
    pack = loaded.pack
    assert pack.organization == "テスト市"
    assert [(r.title, r.holder, r.clause) for r in pack.roles] == [
        ("CISO", "副市長", "2(1)ア"),
        ("情報セキュリティ管理者", "各課を所管する課長", "2(2)ア"),
    ]
    (axis,) = pack.classification.axes
    assert [lv.id for lv in axis.levels] == ["1", "2"]  # lowest first
    assert axis.clause == "3(1)ア"
    assert pack.rules == ()  # nothing invented
    assert check_citations(loaded, seeds) == []
    text = (folder / "pack.yaml").read_text(encoding="utf-8")
    assert "#   2(2)ア  13  ア 各課を所管する課長を情報セキュリティ管理者とする。" in text
    assert load_cases(folder)[1].pack == "test-city"
    assert main(["policy", "test", str(folder)]) == 0
    capsys.readouterr()
    assert main(argv) == 2  # never overwrites
    assert "already exists; not overwritten" in capsys.readouterr().err
