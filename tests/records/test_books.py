"""The books an organisation keeps: the pack's, typed by its rules, plus kitei's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.policy.loader import load_pack
from kitei.records.books import EXCEPTION_REVIEW, TAKE_OUT, book_of, books_for

from ..conftest import make_org


def _by_id(org: Any) -> dict[str, Any]:
    return {b.id: b for b in books_for(org)}


@pytest.mark.django_db
def test_mito_books_come_from_the_pack_with_their_clauses(mito: Any) -> None:
    books = _by_id(mito)
    disposal = books["disposal-record"]
    assert [c.title for c in disposal.fields] == ["日時", "担当者の氏名", "処理内容"]
    assert disposal.required == disposal.fields  # a pack's fields are all required
    assert (disposal.purpose, disposal.action) == ("disposal", "asset.dispose")
    assert disposal.clause == "3(2)コ(イ)"
    assert "日時、担当者の氏名及び処理内容を記録" in disposal.quote
    assert disposal.kept_by == disposal.fields_by == "pack"
    assert disposal.source.startswith("002")
    assert [b.id for b in books_for(mito)][
        : len(load_pack("mito-city-council").pack.record_books)
    ] == [b.id for b in load_pack("mito-city-council").pack.record_books]
    assert books["fault-record"].clause == "7-1(7)"
    assert books["training-record"].clause == "6-2(2)エ"
    assert books["logs"].retention == "P1M"  # the pack's parameter log-retention


@pytest.mark.django_db
def test_a_book_the_pack_gives_no_fields_gets_kiteis_and_says_so(mito: Any) -> None:
    books = _by_id(mito)
    entry_log = books["entry-log"]
    assert entry_log.purpose == "entry_log"
    assert entry_log.fields_by == "kitei"
    assert entry_log.kept_by == "pack"
    assert "付添者" in [c.title for c in entry_log.fields]
    assert {c.id for c in entry_log.required} == {"area", "name", "entered_at"}
    assert "kitei が補って" in entry_log.note
    assert [c.id for c in books["work-record"].fields] == ["content"]


@pytest.mark.django_db
def test_two_person_work_books_need_a_confirmation(mito: Any) -> None:
    books = _by_id(mito)
    change = books["change-work-record"]
    assert change.purpose == "work"
    assert change.confirmation is not None
    assert change.confirmation[0] == "7-1(4)ウ"
    assert "2名以上" in change.confirmation[1]
    assert books["fault-record"].confirmation is None


@pytest.mark.django_db
def test_the_take_out_book_is_kiteis_not_the_policys(mito: Any) -> None:
    books = _by_id(mito)
    take_out = books[TAKE_OUT]
    assert take_out.title == "持出記録（返却管理）"
    assert take_out.kept_by == "kitei"
    assert take_out.clause == ""  # the mito seed requires no take-out book
    assert "規程が作成を求める記録簿ではありません" in take_out.note
    assert take_out.purpose == "take_out"
    review = books[EXCEPTION_REVIEW]
    assert review.kept_by == "kitei"
    assert review.clause == "8-4(3)"
    assert "定期的にその状況を確認" in review.quote


@pytest.mark.django_db
def test_toyama_keeps_its_media_disposal_book(toyama: Any) -> None:
    books = _by_id(toyama)
    assert books["media-disposal"].purpose == "disposal"
    assert books["media-disposal"].clause == "2(2)ウ"
    assert [c.title for c in books["media-disposal"].fields] == ["日時", "担当者", "処理内容"]
    assert TAKE_OUT in books
    assert EXCEPTION_REVIEW not in books  # no exception book in the toyama pack


@pytest.mark.django_db
def test_a_pack_with_a_take_out_book_replaces_kiteis(tmp_path: Path) -> None:
    source = load_pack("toyama-kankoji-kumiai").path.read_text(encoding="utf-8")
    marker = "  - id: take-out-important\n"
    head, tail = source.split(marker, 1)
    tail = tail.replace(
        "    effect: approval_required\n",
        "    effect: approval_required\n    records: [take-out-log]\n",
        1,
    )
    book = (
        "  - id: take-out-log\n"
        "    title: 持出簿\n"
        "    fields:\n"
        "      - {id: item, title: 持ち出した情報資産}\n"
        '    clause: "2(2)ア"\n'
        "    quote: 重要な情報資産の外部への持出し\n"
    )
    assert "\nrecord_books:\n" in tail
    tail = tail.replace("\nrecord_books:\n", "\nrecord_books:\n" + book, 1)
    path = tmp_path / "pack.yaml"
    path.write_text(head + marker + tail, encoding="utf-8")
    org = make_org("custom", str(path), "持出簿のある組合")
    books = _by_id(org)
    assert TAKE_OUT not in books
    assert books["take-out-log"].purpose == "take_out"
    assert books["take-out-log"].kept_by == "pack"


@pytest.mark.django_db
def test_an_unknown_book_is_refused_in_japanese(mito: Any) -> None:
    with pytest.raises(
        ValidationError, match="記録簿「purchase-log」はこの組織のポリシーにありません"
    ):
        book_of(mito, "purchase-log")
