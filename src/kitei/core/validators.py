"""Control characters (NUL …) refused wherever text enters kitei.

PostgreSQL cannot store a NUL byte in a text column (the insert fails: a 500) and SQLite
stores it silently; the other C0 control characters are not allowed in XML (the .xlsx
export drops them) and show as nothing on a page. No field of kitei needs them, so every
input refuses them: the request guard (`kitei.core.input_guard`) for query strings, form
fields and JSON bodies, `no_control_characters` for a form or model field, and the
register imports for each cell (a row error). Tab, line feed and carriage return are text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 controls but tab, line feed and carriage return; DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """Whether a text holds a control character kitei refuses."""
    return CONTROL.search(text) is not None


def control_message() -> str:
    """The Japanese reason given for a refused control character."""
    return _("制御文字（NUL など）を含む値は入力できません。")


def no_control_characters(value: object) -> None:
    """Django validator: refuse a text with a control character (NUL …)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(control_message(), code="control_characters")


def texts(data: Any) -> Iterator[str]:
    """Every string in a decoded JSON value, keys included."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield str(key)
            yield from texts(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from texts(item)
