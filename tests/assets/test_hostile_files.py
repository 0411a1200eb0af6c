"""Hostile register files: damaged, zip bombs, too many rows, too slow, control characters.

Each is refused with a Japanese reason (a 400 page with the form, one CLI line with exit 2,
or a row error) and writes nothing — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from kitei.assets.models import Asset
from kitei.assets.transfer import import_assets, read_assets
from kitei.cli import main
from kitei.core import tabular
from kitei.core.models import ChangeRecord
from kitei.people.csv_import import read_people_csv
from kitei.systems.transfer import read_systems
from tests.conftest import SETUP

from .test_import_pages import client_for, ito
from .test_transfer import GOOD_ROWS, csv_bytes, register, xlsx

pytestmark = pytest.mark.django_db
__all__ = ["ito", "register"]  # fixtures used here

DAMAGED = "ファイルを読み取れません（破損しているか、Excel 形式ではありません）。"
SHEET = "xl/worksheets/sheet1.xml"


def bad_crc(data: bytes, member: str = SHEET) -> bytes:
    """The workbook with the CRC-32 its directory gives `member` changed: the deflate stream
    is intact, so the damage is met only when the member has been read to its end."""
    damaged = bytearray(data)
    at = damaged.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack("<H", damaged[at + 28 : at + 30])[0]
        if damaged[at + 46 : at + 46 + length] == member.encode():
            damaged[at + 16] ^= 0xFF
            return bytes(damaged)
        at = damaged.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def flipped(data: bytes, member: str = SHEET) -> bytes:
    """The workbook with bytes in the middle of `member`'s compressed data flipped."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    damaged = bytearray(data)
    names = struct.unpack("<HH", damaged[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + sum(names)
    for offset in range(info.compress_size // 2, info.compress_size // 2 + 8):
        damaged[start + offset] ^= 0x5A
    return bytes(damaged)


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more (or a replaced) member, deflated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def shared_strings_bomb(megabytes: int = 12) -> bytes:
    """A small .xlsx whose sharedStrings.xml expands to `megabytes` MB of one letter."""
    text = b"A" * (megabytes * 1024 * 1024)
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )
    return with_member(xlsx(GOOD_ROWS), "xl/sharedStrings.xml", strings)


def _reasons(plan: Any) -> list[str]:
    return [str(e) for e in plan.errors]


def _counts() -> tuple[int, int]:
    return Asset.objects.count(), ChangeRecord.objects.count()


def test_a_bad_crc_or_broken_deflate_is_refused_as_a_whole(mito: Any, register: Any) -> None:
    before = _counts()
    for data in (bad_crc(xlsx(GOOD_ROWS)), flipped(xlsx(GOOD_ROWS * 50))):
        assert _reasons(read_assets(mito, data)) == [f"ファイル: {DAMAGED}"]
        assert _reasons(import_assets(mito, data, actor=SETUP)) == [f"ファイル: {DAMAGED}"]
        assert _reasons(read_systems(mito, data)) == [f"ファイル: {DAMAGED}"]
        assert _reasons(read_people_csv(mito, data)) == [f"ファイル: {DAMAGED}"]
    main_ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    broken_xml = with_member(xlsx(GOOD_ROWS), SHEET, b"<worksheet " + main_ns + b"><sheetData><r")
    assert _reasons(read_assets(mito, broken_xml)) == [f"ファイル: {DAMAGED}"]
    assert _counts() == before


def test_a_damaged_file_on_the_page_is_a_400_with_the_form(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    before = _counts()
    for url in (reverse("assets_import"), reverse("systems_import")):
        upload = SimpleUploadedFile("台帳.xlsx", bad_crc(xlsx(GOOD_ROWS)))
        response = client.post(url, {"action": "check", "file": upload})
        assert response.status_code == 400
        page = response.content.decode()
        assert DAMAGED in page
        assert 'type="file"' in page
    upload = SimpleUploadedFile("名簿.xlsx", bad_crc(xlsx([["山田 花子"]], headings=["氏名"])))
    response = client.post(reverse("people:import"), {"file": upload})
    assert response.status_code == 400
    assert DAMAGED in response.content.decode()
    assert _counts() == before


def test_a_damaged_file_on_the_command_line_is_one_line(
    mito: Any, register: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "台帳.xlsx"
    path.write_bytes(bad_crc(xlsx(GOOD_ROWS)))
    before = _counts()
    for command in (["assets"], ["systems"], ["people"]):
        assert main([*command, "import", "--org", "mito", str(path)]) == 2
        err = capsys.readouterr().err
        assert err == f"kitei: 取り込めませんでした: {DAMAGED}\n"
    assert _counts() == before


def test_a_shared_strings_bomb_is_refused_unread(mito: Any, register: Any) -> None:
    bomb = shared_strings_bomb()
    assert len(bomb) < 200_000  # 12 MB of XML in a small upload
    assert _reasons(read_assets(mito, bomb)) == [
        "ファイル: ファイルの一部（xl/sharedStrings.xml）の圧縮率が異常に高いため読み取りません。"
    ]


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=4 * 1024 * 1024)
def test_the_expanded_size_is_bounded(mito: Any, register: Any) -> None:
    assert read_assets(mito, xlsx(GOOD_ROWS)).ok
    big = with_member(xlsx(GOOD_ROWS), "xl/media/padding.bin", bytes(range(256)) * 20_000)
    assert _reasons(read_assets(mito, big)) == [
        "ファイル: ファイルを展開すると大きすぎます（4 MB まで）。"
    ]


@override_settings(IMPORT_MAX_ROWS=2)
def test_rows_are_bounded(mito: Any, register: Any) -> None:
    reason = "ファイル: 行が多すぎます（2 行まで）。ファイルを分けてください。"
    for data in (xlsx(GOOD_ROWS), csv_bytes(GOOD_ROWS)):
        # The heading counts as a row: two data rows and it make three.
        assert _reasons(read_assets(mito, data)) == [reason]
    assert not Asset.objects.exists()


@override_settings(IMPORT_MAX_SECONDS=0)
def test_reading_time_is_bounded(mito: Any, register: Any) -> None:
    reason = (
        "ファイル: ファイルの読み取りに時間がかかりすぎるため中止しました（0 秒まで）。"
        "ファイルを分けてください。"
    )
    for data in (xlsx(GOOD_ROWS), csv_bytes(GOOD_ROWS)):
        assert _reasons(import_assets(mito, data, actor=SETUP)) == [reason]
    assert not Asset.objects.exists()


def test_a_page_reads_within_its_own_time_limit(mito: Any, register: Any) -> None:
    with tabular.time_limit(0):
        assert not read_assets(mito, csv_bytes(GOOD_ROWS)).ok
    assert read_assets(mito, csv_bytes(GOOD_ROWS)).ok


def test_control_characters_in_a_cell_are_row_errors(mito: Any, register: Any) -> None:
    before = _counts()
    nul = [["議員名簿", "連絡先\x00", *GOOD_ROWS[0][2:]], GOOD_ROWS[1]]
    bell = [GOOD_ROWS[0], ["会議録\x07", *GOOD_ROWS[1][1:]]]
    reason = "制御文字（NUL など）を含む値は取り込めません。"
    assert _reasons(import_assets(mito, csv_bytes(nul), actor=SETUP)) == [f"2行目 説明: {reason}"]
    assert _reasons(import_assets(mito, csv_bytes(bell), actor=SETUP)) == [f"3行目 名称: {reason}"]
    assert _counts() == before
    assert tabular.cell_text(" 改行\nとタブ\tは可 ") == "改行\nとタブ\tは可"
    assert tabular.cell_text("a\x1fb") == tabular.Refused(reason)


def test_an_upload_over_the_limit_is_refused_in_japanese(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    with override_settings(IMPORT_MAX_UPLOAD_BYTES=1024 * 1024):
        upload = SimpleUploadedFile("台帳.csv", b"x" * (1024 * 1024 + 1))
        response = client.post(reverse("assets_import"), {"action": "check", "file": upload})
    assert response.status_code == 400
    assert "ファイルが大きすぎます（1 MB まで）。" in response.content.decode()
    with override_settings(MAX_REQUEST_BYTES=1024):
        upload = SimpleUploadedFile("台帳.csv", b"x" * 4096)
        response = client.post(reverse("assets_import"), {"action": "check", "file": upload})
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.content.decode()
