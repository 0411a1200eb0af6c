"""The translation catalogs: compiled from their sources, and English for every account page."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.messages import LOCALE, PACKAGE, compiled, missing_english, template_messages

TEMPLATES = PACKAGE / "templates"


@pytest.mark.parametrize("po", sorted(LOCALE.glob("*/LC_MESSAGES/django.po")), ids=str)
def test_compiled_catalog_matches_its_source(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    assert mo.read_bytes() == compiled(po), f"{mo} is stale: run `make messages`"


def test_every_string_of_the_account_pages_has_english() -> None:
    paths = [TEMPLATES / d for d in ("account", "mfa", "allauth")] + [TEMPLATES / "base.html"]
    assert missing_english(paths) == []


def test_extraction_reads_translate_and_blocktranslate_as_django_does() -> None:
    source = (
        '{% translate "ログイン" %}{% trans \'中止\' context "ボタン" %}'
        "{% blocktranslate count n=codes|length %}{{ n }} 個{% plural %}{{ n }} 個"
        "{% endblocktranslate %}{% blocktranslate trimmed %}\n  一行目\n  {{ name }} さん\n"
        "{% endblocktranslate %}"
    )
    assert dict(template_messages(source)) == {
        ("ログイン", ""): "ログイン",
        ("中止", "ボタン"): "中止",
        ("%(n)s 個", ""): ("%(n)s 個", "%(n)s 個"),
        ("一行目 %(name)s さん", ""): "一行目 %(name)s さん",
    }
