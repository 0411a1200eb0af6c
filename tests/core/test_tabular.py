"""Reading spreadsheets as Excel writes them (shared strings, ruby, dates, formulas, errors)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from kitei.core import tabular
from kitei.core.tabular import Refused, neutralise, open_tables

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."

# What Excel saves: text in the shared string table (one with the ruby, <rPh>, that
# Japanese Excel adds, one in rich-text runs), a date as a serial number with a date
# style, a formula with its cached value, an error, a boolean, sparse cells.
SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}"><dimension ref="A1:E4"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
<c r="C1" t="s"><v>2</v></c></row>
<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" s="1"><v>47573</v></c><c r="C3"><v>5</v></c>
<c r="E3" t="b"><v>1</v></c></row>
<row r="4"><c r="A4" t="s"><v>4</v></c><c r="B4"><f>TODAY()</f><v>46000</v></c>
<c r="C4" t="e"><v>#N/A</v></c><c r="D4"><v>2.5</v></c></row>
</sheetData></worksheet>"""
STRINGS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="5" uniqueCount="5">
<si><t>名称</t></si><si><t>日付</t></si><si><t>数</t></si>
<si><t>議員名簿</t><rPh sb="0" eb="2"><t>ギイン</t></rPh><phoneticPr fontId="1"/></si>
<si><r><t>会議</t></r><r><rPr><b/></rPr><t>録</t></r></si>
</sst>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
PARTS = {
    "[Content_Types].xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="{PKG}/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SML}sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{SML}styles+xml"/>
</Types>""",
    "_rels/.rels": f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
    "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>
<sheet name="情報資産台帳" sheetId="1" r:id="rId1"/></sheets></workbook>""",
    "xl/_rels/workbook.xml.rels": f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>""",
    "xl/worksheets/sheet1.xml": SHEET,
    "xl/sharedStrings.xml": STRINGS,
    "xl/styles.xml": STYLES,
}  # fmt: skip


def excel_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_reads_a_file_as_excel_saves_it() -> None:
    with open_tables(excel_file()) as tables:
        assert tables.names == ["情報資産台帳"]
        rows = list(tables.rows("情報資産台帳"))
    formula = Refused("数式のセルは取り込めません。値として貼り付けてください。")
    assert rows == [
        (1, ["名称", "日付", "数"]),
        (3, ["議員名簿", date(2030, 3, 31), "5", "", "はい"]),
        (4, ["会議録", formula, Refused("セルがエラー（#N/A）です。"), "2.5"]),
    ]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+81", "'+81"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("'=1", "''=1"),
        ("普通の値", "普通の値"),
        ("a=b", "a=b"),
    ],
)
def test_csv_export_neutralises_and_import_takes_the_apostrophe_back(
    text: str, written: str
) -> None:
    assert neutralise(text) == written
    data = tabular.write_csv(tabular.Sheet(title="t", headings=["値"], rows=[[text]]))
    with open_tables(data) as tables:
        [(line, [value])] = list(tables.rows(""))[1:]
    assert (line, value) == (2, text)
