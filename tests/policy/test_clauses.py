"""The clause index of a seed, and `validate --seeds` checking clauses and quotes with it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kitei.cli import main
from kitei.policy import load_pack
from kitei.policy.citations import check_citations
from kitei.policy.clauses import build_index

from .conftest import seeds_dir
from .test_packs import SEEDS

DASHED = """\
1 目的

この対策基準は、目的を定める。

3 情報資産の分類と管理

(1) 情報資産の分類

分類する。

(2) 情報資産の管理

ア 管理責任

- (ア) 情報セキュリティ管理者は、情報資産について管理責任を有する。
- (イ) 情報システム管理者は、所管する情報システムについて管理責任を有する。

イ 情報資産の分類の表示

イ号の話ではない行も、前の項目の続きとして読む。

7 技術的セキュリティ

7-6 不正アクセス対策

(1) 記録の保存

攻撃の記録を保存する。

7-6 セキュリティ情報の収集

(1) 情報の収集

情報を収集する。
"""


def _ids(text: str) -> dict[str, tuple[int, int]]:
    return {c.id: (c.start, c.end) for c in build_index(text).clauses}


def test_dashed_numbering_nests_and_a_parent_spans_its_children() -> None:
    ids = _ids(DASHED)
    assert ids["3(2)ア(ア)"] == (15, 15)
    assert ids["3(2)ア"] == (13, 16)
    assert ids["3(2)"][0] == 11
    assert ids["3(2)"][1] >= ids["3(2)イ"][1]
    # prose that starts like a marker but does not follow its sibling is text of the clause
    assert ids["3(2)イ"] == (18, 20)
    assert ids["1"] == (1, 3)


def test_a_number_printed_twice_is_cited_a_and_b() -> None:
    ids = _ids(DASHED)
    assert "7-6" not in ids
    assert ids["7-6a(1)"] == (26, 28)
    assert ids["7-6b(1)"] == (32, 34)
    assert ids["7-6a"] == (24, 28)


def test_numbering_restarting_per_chapter_is_prefixed_except_the_standards() -> None:
    text = (
        "第1章 情報セキュリティ基本方針\n\n1 目的\n\n2 定義\n\n(1) 組合員等\n\n"
        "第2章 情報セキュリティ対策基準\n\n1 管理体制\n\n(1) 役割・責任\n\nア 本組合理事会\n"
    )
    ids = _ids(text)
    assert {"第1章 1", "第1章 2", "第1章 2(1)", "1", "1(1)", "1(1)ア", "第2章"} <= set(ids)
    assert ids["第2章"] == (9, 15)


def test_articles_paragraphs_and_items() -> None:
    text = (
        "改正 令和5年3月24日 区長決定\n\n(定義)\n\n第2条 次のとおり。\n\n- (1) 用語 いう。\n"
        "\n第4条 機関とする。\n\n2 情報資産は、次のとおり。\n\n- (1) 印刷物\n\n"
        "第6条 対策を講じる。\n\n- (1) 次の対策\n\nア マイナンバー利用事務系\n"
    )
    ids = _ids(text)
    assert ids["改正"] == (1, 1)
    assert ids["第2条"][0] == 3  # the caption (定義) printed above belongs to the article
    assert {"第2条第1号", "第4条第2項第1号", "第6条第1号ア"} <= set(ids)


def test_full_width_and_parenthesised_digits_are_numbers() -> None:
    text = "１ 目的\n\n⑴ 範囲\n\nア 対象\n\n（２） 定義\n"
    assert set(_ids(text)) == {"1", "1(1)", "1(1)ア", "1(2)"}


def test_headings_only_the_table_of_contents_prints() -> None:
    text = (
        "目 次\n\n序 構成\t3\n第2章 対策基準\t9\n2.8 業務委託\t54\n2.8.3 外部サービス\t58\n\n"
        "序 構成\n\n本文。\n\n第1章 基本方針\n\n1.6 対策\n\n(1) 強靱性\n\n① マイナンバー\n"
    )
    index = build_index(text)
    by_id = {c.id: c for c in index.clauses}
    assert by_id["2.8.3"].toc
    assert (by_id["2.8.3"].start, by_id["2.8.3"].end) == (6, 6)
    assert by_id["第2章"].toc
    assert by_id["第2章"].end == 6
    assert not by_id["序"].toc
    assert by_id["序"].start == 8
    assert "1.6(1)①" in by_id


def test_clauses_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text(DASHED, encoding="utf-8")
    assert main(["policy", "clauses", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "3(2)ア(ア)\t15\t- (ア) 情報セキュリティ管理者は" not in out  # the list dash is dropped
    assert "3(2)ア(ア)\t15\t(ア) 情報セキュリティ管理者は" in out
    assert main(["policy", "clauses", str(seed), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["id"] == "7-6b(1)")
    assert row["lines"] == [32, 34]
    assert row["parent"] == "7-6b"
    assert "情報を収集する" in row["text"]
    assert main(["policy", "clauses", str(tmp_path / "none.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "none.txt: no such seed file" in err


# ---- validation with the seed --------------------------------------------------------------

PACK = """\
id: citing
name: 引用の検査
organization: 検査
version: "1"
source: seed.txt
undetermined: {{clause: "1", quote: "この対策基準は、目的を定める"}}
undetermined_message: 定めがありません。
notes:
  - id: fine
    clause: "3(2)ア"
    quote: "情報システム管理者は、所管する情報システムについて"
    decision: 正しい引用。
  - id: unknown-clause
    clause: "99(9)ZZ"
    quote: "攻撃の記録を保存する"
    decision: 存在しない条項。
  - id: outside
    clause: "3(2)イ"
    quote: "情報セキュリティ管理者は、情報資産について管理責任を有する"
    decision: 条項の外の引用。
  - id: comma-off
    clause: "7-6b(1)"
    quote: "情報を、収集する"
    decision: 読点が一つ多い引用。
"""


def _citing(tmp_path: Path, body: str = PACK) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "seed.txt").write_text(DASHED, encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    pack.write_text(body.format(), encoding="utf-8")
    return pack, seeds


def test_validate_rejects_unknown_clause_outside_quote_and_near_quote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pack, seeds = _citing(tmp_path)
    assert main(["policy", "validate", str(pack), "--seeds", str(seeds)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{pack}:14: clause '99(9)ZZ' does not exist in seed.txt; the quote is in 7-6a(1) "
        "(line 26)",
        f"{pack}:18: the quote is not in clause 3(2)イ (lines 18-20 of seed.txt); "
        "it is in 3(2)ア(ア) (line 15)",
        f"{pack}:23: quote not found in seed.txt: 「情報を、収集する」; nearest in the seed "
        "(line 34, clause 7-6b(1)): 「情報を収集する」",
    ]


def test_a_missing_seeds_folder_is_reported_once(tmp_path: Path) -> None:
    pack, _ = _citing(tmp_path)
    loaded = load_pack(pack)
    assert check_citations(loaded, tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: no such seeds folder (give --seeds or KITEI_SEEDS_DIR)"
    ]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_citations(loaded, empty) == [
        f"{pack}:5: seed file 'seed.txt' not found in {empty}"
    ]


def _seeds() -> Path:
    seeds = seeds_dir()
    if seeds is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the seed documents (../shared/seeds) are missing on CI")
        pytest.skip("seed documents not beside this clone (set KITEI_SEEDS_DIR)")
    return seeds


@pytest.mark.parametrize("pack_id", sorted(SEEDS))
def test_shipped_pack_clauses_and_quotes_agree_with_the_seed(pack_id: str) -> None:
    assert check_citations(load_pack(pack_id), _seeds()) == []


def test_shipped_citation_styles_are_in_the_index() -> None:
    seeds = _seeds()
    wanted = {
        "002_ecf5b63335077659.txt": ["6-3(1)ア", "3(2)ア(ア)", "7-1(10)ア", "7-6a(1)", "8-5ア"],
        "003_2f6cd8582acab7de.txt": ["6(4)イ(イ)", "第1章 11", "序", "第2章"],
        "000_0cc589cc03a9d23c.txt": ["1.2(10)", "1.6(3)①", "2.8.3", "第2章"],
        "001_4c298f0979539273.txt": ["11(2)"],
        "004_f80bdd4e173068c7.txt": ["第2条第10号", "第6条第3号ア", "第4条第2項第4号", "改正"],
    }
    for name, ids in wanted.items():
        index = build_index((seeds / name).read_text(encoding="utf-8"), name)
        assert [i for i in ids if index.get(i) is None] == [], name
