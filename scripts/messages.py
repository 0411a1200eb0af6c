"""Translation catalogs of kitei, in pure Python (Babel): no GNU gettext needed.

Japanese is the source language: templates say {% translate "ログイン" %} and code says
_("組織管理者"). locale/en translates those strings; locale/ja only rewords messages of Django
and django-allauth. The compiled .mo files are build output (git ignores them); `make`
builds them before the tests and the demo.

    python scripts/messages.py compile [PO ...]   # .po -> .mo (default: every catalog)
    python scripts/messages.py update             # add new source strings to locale/en
    python scripts/messages.py check [PATH ...]   # exit 1 naming strings English lacks
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kitei"
LOCALE = PACKAGE / "locale"
ENGLISH = LOCALE / "en" / "LC_MESSAGES" / "django.po"

# A message is its text, or (singular, plural); the key adds the context (or "").
Message = str | tuple[str, str]
Key = tuple[str, str]

_QUOTED = r"(?P<q>[\"'])(?P<text>.*?)(?P=q)"
_TRANS = re.compile(r"{%\s*trans(?:late)?\s+" + _QUOTED + r"(?P<rest>.*?)%}")
_BLOCK = re.compile(
    r"{%\s*blocktrans(?:late)?\b(?P<args>.*?)%}(?P<body>.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.DOTALL,
)
_PLURAL = re.compile(r"{%\s*plural\s*%}")
_CONTEXT = re.compile(r"\bcontext\s+" + _QUOTED)
_VARIABLE = re.compile(r"{{\s*([\w.]+)\s*}}")
PYTHON_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}


def _context(args: str) -> str:
    found = _CONTEXT.search(args)
    return found.group("text") if found else ""


def _block_text(body: str, trimmed: bool) -> str:
    """The msgid Django derives from a blocktranslate body."""
    if trimmed:
        body = " ".join(line.strip() for line in body.strip().splitlines())
    body = body.replace("%", "%%")
    return _VARIABLE.sub(lambda m: f"%({m.group(1)})s", body)


def template_messages(source: str) -> Iterator[tuple[Key, Message]]:
    """The translatable strings of one Django template."""
    for found in _TRANS.finditer(source):
        yield (found.group("text"), _context(found.group("rest"))), found.group("text")
    for found in _BLOCK.finditer(source):
        trimmed = "trimmed" in found.group("args").split()
        parts = [_block_text(p, trimmed) for p in _PLURAL.split(found.group("body"), maxsplit=1)]
        message: Message = (parts[0], parts[1]) if len(parts) == 2 else parts[0]
        yield (parts[0], _context(found.group("args"))), message


def python_messages(source: bytes) -> Iterator[tuple[Key, Message]]:
    """The translatable strings of one Python module (gettext and its lazy forms)."""
    for _line, message, _comments, context in extract(
        "python", io.BytesIO(source), keywords=PYTHON_KEYWORDS
    ):
        text = message if isinstance(message, str) else message[0]
        pair: Message = message if isinstance(message, str) else (message[0], message[1])
        yield (text, context or ""), pair


def source_files(paths: Iterable[Path] = (PACKAGE,)) -> Iterator[Path]:
    """Templates and Python modules under `paths`, migrations and the policy engine left out."""
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in files:
            parts = set(path.parts)
            if "migrations" in parts or "policy" in parts:
                continue
            if (path.suffix in {".html", ".txt"} and "templates" in parts) or path.suffix == ".py":
                yield path


def extract_messages(paths: Iterable[Path] = (PACKAGE,)) -> dict[Key, Message]:
    """Every source string under `paths`, keyed by (msgid, context)."""
    found: dict[Key, Message] = {}
    for path in source_files(paths):
        if path.suffix == ".py":
            found.update(python_messages(path.read_bytes()))
        else:
            found.update(template_messages(path.read_text(encoding="utf-8")))
    return found


def read_catalog(po: Path) -> Catalog:
    with po.open("rb") as handle:
        return read_po(handle, locale=po.parent.parent.name)


def compiled(po: Path) -> bytes:
    """The .mo bytes of one .po catalog (fuzzy entries left out)."""
    out = io.BytesIO()
    write_mo(out, read_catalog(po), use_fuzzy=False)
    return out.getvalue()


def missing_english(paths: Iterable[Path] = (PACKAGE,)) -> list[str]:
    """Source strings under `paths` that locale/en does not translate."""
    catalog = read_catalog(ENGLISH)
    missing = []
    for (text, context), _message in sorted(extract_messages(paths).items()):
        entry = catalog.get(text, context=context or None)
        strings = entry.string if entry is not None else ""
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or entry.fuzzy or not translated:
            missing.append(f"{text!r}" + (f" (context {context!r})" if context else ""))
    return missing


def update_english() -> int:
    """Add untranslated source strings to locale/en with empty translations."""
    catalog = read_catalog(ENGLISH)
    added = 0
    for (text, context), message in sorted(extract_messages().items()):
        if catalog.get(text, context=context or None) is None:
            catalog.add(
                message,
                string=("", "") if isinstance(message, tuple) else "",
                context=context or None,
            )
            added += 1
    with ENGLISH.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    return added


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "compile":
        catalogs = [Path(a) for a in args] or sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
        for po in catalogs:
            po.with_suffix(".mo").write_bytes(compiled(po))
            print(f"compiled {po.relative_to(ROOT) if po.is_absolute() else po}")
        return 0
    if command == "update":
        print(f"{update_english()} new strings in {ENGLISH.relative_to(ROOT)}")
        return 0
    if command == "check":
        missing = missing_english([Path(a).resolve() for a in args] or [PACKAGE])
        for text in missing:
            print(f"no English for {text}", file=sys.stderr)
        return 1 if missing else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
