"""The kinds of file kitei keeps as evidence, recognised by extension and by content.

A file is accepted only when its extension names an allowed kind and its bytes are of
that kind (magic bytes, the parts of an Office file, text that decodes), so a program
renamed to .pdf is refused. The content type served later is the kind's, never the
browser's claim.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SNIFF_BYTES = 8


@dataclass(frozen=True, kw_only=True)
class Kind:
    """An allowed kind of evidence file: its extensions, content type and how it starts."""

    label: str | Promise
    extensions: frozenset[str]
    content_type: str
    magic: bytes = b""
    zip_part: str = ""  # the part an Office Open XML file of this kind holds
    text: bool = False


KINDS = (
    Kind(label="PDF", extensions=frozenset({".pdf"}), content_type="application/pdf",
         magic=b"%PDF-"),
    Kind(label="PNG", extensions=frozenset({".png"}), content_type="image/png",
         magic=b"\x89PNG\r\n\x1a\n"),
    Kind(label="JPEG", extensions=frozenset({".jpg", ".jpeg"}), content_type="image/jpeg",
         magic=b"\xff\xd8\xff"),
    Kind(label="Excel（.xlsx）", extensions=frozenset({".xlsx"}),
         content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         magic=b"PK\x03\x04", zip_part="xl/workbook.xml"),
    Kind(label="Word（.docx）", extensions=frozenset({".docx"}),
         content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         magic=b"PK\x03\x04", zip_part="word/document.xml"),
    Kind(label="CSV", extensions=frozenset({".csv"}), content_type="text/csv", text=True),
    Kind(label=gettext_lazy("テキスト（.txt）"), extensions=frozenset({".txt"}),
         content_type="text/plain", text=True),
)  # fmt: skip


def allowed_labels() -> str:
    """The allowed kinds, as a refusal message lists them."""
    return "、".join(str(kind.label) for kind in KINDS)


def kind_of_name(name: str) -> Kind:
    """The kind a file name's extension names; refused when no allowed kind has it."""
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot > 0 else ""
    for kind in KINDS:
        if extension in kind.extensions:
            return kind
    raise ValidationError(
        _("この種類のファイルは添付できません（%(ext)s）。添付できるのは %(kinds)s です。")
        % {"ext": extension or _("拡張子なし"), "kinds": allowed_labels()},
        code="type",
    )


def _disguised(kind: Kind, name: str) -> ValidationError:
    return ValidationError(
        _(
            "「%(name)s」の内容は %(kind)s ではありません。"
            "拡張子と中身が一致するファイルを添付してください。"
        )
        % {"name": name, "kind": kind.label},
        code="content",
    )


class TextCheck:
    """Whether streamed bytes are text in UTF-8 or Shift_JIS (the two a Japanese office uses)."""

    ENCODINGS = ("utf-8-sig", "cp932")
    CHARSETS = {"utf-8-sig": "utf-8", "cp932": "shift_jis"}

    def __init__(self) -> None:
        self._decoders: dict[str, Callable[[bytes, bool], str]] = {
            name: codecs.getincrementaldecoder(name)().decode for name in self.ENCODINGS
        }

    def feed(self, block: bytes, final: bool = False) -> None:
        """Decode the next bytes with every encoding still possible, dropping the failures."""
        if b"\x00" in block:  # no text file holds NUL: a binary file renamed .csv/.txt
            self._decoders.clear()
        for name, decode in list(self._decoders.items()):
            try:
                decode(block, final)
            except UnicodeDecodeError:
                del self._decoders[name]

    @property
    def charset(self) -> str | None:
        """The charset the whole text decoded in (UTF-8 first), or None."""
        for name in self.ENCODINGS:
            if name in self._decoders:
                return self.CHARSETS[name]
        return None


def check_content(kind: Kind, name: str, head: bytes, file: IO[bytes], text: TextCheck) -> str:
    """The content type of a file whose bytes were streamed (`head` first, `text` fed).

    Refused unless the bytes are of `kind`; `file` must be seekable for Office files.
    """
    if kind.text:
        if text.charset is None:
            raise ValidationError(
                _(
                    "「%(name)s」はテキストとして読めません。"
                    "UTF-8 または Shift_JIS で保存したファイルを添付してください。"
                )
                % {"name": name},
                code="content",
            )
        return f"{kind.content_type}; charset={text.charset}"
    if not head.startswith(kind.magic):
        raise _disguised(kind, name)
    if kind.zip_part and not _holds_part(file, kind.zip_part):
        raise _disguised(kind, name)
    return kind.content_type


def _holds_part(file: IO[bytes], part: str) -> bool:
    """Whether a ZIP file holds an Office Open XML part (only its directory is read)."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names: Iterable[str] = archive.namelist()
            return "[Content_Types].xml" in names and part in names
    except (zipfile.BadZipFile, OSError, EOFError):
        return False
    finally:
        file.seek(0)
