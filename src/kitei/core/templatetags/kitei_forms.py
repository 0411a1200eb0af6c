"""Template filters of kitei's forms: the fields the error summary links to."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def fields_with_errors(form: Any) -> list[forms.BoundField]:
    """The visible fields of the form that have errors, in the form's order (else none)."""
    if not isinstance(form, forms.BaseForm) or not form.errors:
        return []
    return [field for field in form.visible_fields() if field.errors]
