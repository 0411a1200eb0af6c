"""Classification helpers: names resolved, 取扱制限 derived, labels, mixed media."""

from __future__ import annotations

import pytest

from kitei.policy import classify as c
from kitei.policy import load_pack

MITO = load_pack("mito-city-council").pack
TOYAMA = load_pack("toyama-kankoji-kumiai").pack


def test_names_resolve_to_ids_and_unknowns_are_named_in_japanese() -> None:
    assert c.normalise(MITO, {"機密性": "機密性3B", "integrity": "2", "可用性": "1"}) == {
        "confidentiality": "3B",
        "integrity": "2",
        "availability": "1",
    }
    with pytest.raises(c.ClassificationError, match="機密性の区分「4」はありません"):
        c.normalise(MITO, {"機密性": "4", "完全性": "1", "可用性": "1"})
    with pytest.raises(c.ClassificationError, match="分類「色」はこの組織のポリシーにありません"):
        c.normalise(MITO, {"色": "1"})
    with pytest.raises(c.ClassificationError, match="完全性・可用性の分類がありません"):
        c.normalise(MITO, {"機密性": "1"})


def test_label_text_and_the_all_lowest_exemption() -> None:
    k = {"confidentiality": "3B", "integrity": "2", "availability": "1"}
    assert c.label(MITO, k) == "機密性3B・完全性2・可用性1"
    assert c.label(MITO, {"confidentiality": "1", "integrity": "1", "availability": "1"}) is None
    assert c.label(MITO, {"confidentiality": "1", "integrity": "1", "availability": "2"}) == (
        "機密性1・完全性1・可用性2"
    )
    assert c.label(TOYAMA, {"importance": "I"}) is None  # 003 requires no label


def test_restrictions_follow_the_level_upward() -> None:
    def texts(k: dict[str, str]) -> set[str]:
        return {a.restriction.text for a in c.restrictions(MITO, k)}

    low = {"confidentiality": "1", "integrity": "1", "availability": "1"}
    two = {**low, "confidentiality": "2"}
    three = {**low, "confidentiality": "3C"}
    assert not any("暗号化" in t for t in texts(low))
    assert any("暗号化" in t for t in texts(two))
    only_three = list(texts(three) - texts(two))
    assert only_three == ["支給された端末以外での作業の原則禁止（機密性3の情報資産に対して）"]
    assert all(a.restriction.clause for a in c.restrictions(MITO, three))


def test_medium_takes_the_highest_on_each_axis() -> None:
    a = {"confidentiality": "3C", "integrity": "1", "availability": "2"}
    b = {"confidentiality": "2", "integrity": "2", "availability": "1"}
    assert c.highest(MITO, [a, b]) == {
        "confidentiality": "3C",
        "integrity": "2",
        "availability": "2",
    }
    assert c.highest(TOYAMA, [{"importance": "III"}, {"importance": "I"}]) == {"importance": "I"}
