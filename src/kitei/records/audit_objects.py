"""How record book entries appear in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kitei.core.audit_display import Terms, register_object
from kitei.records.books import books_for
from kitei.records.models import RecordEntry


def _terms(organization: Any) -> Terms:
    """Book titles, and the headings of every book's fields (`fields.<id>`)."""
    books = books_for(organization)
    labels = {f"fields.{c.id}": c.title for b in books for c in b.fields}
    return Terms(labels=labels, values={"book": {b.id: b.title for b in books}})


def _name(entry: RecordEntry) -> str:
    titles = {b.id: b.title for b in books_for(entry.organization)}
    return f"{titles.get(entry.book, entry.book)} {entry.number or f'#{entry.pk}'}"


def register() -> None:
    """Name entries by their book and link them to the book's page."""
    register_object(
        RecordEntry,
        read="records.view",
        url=lambda e: reverse("records:book", args=[e.book]) + f"#entry-{e.pk}",
        name=_name,
        related=("organization",),
        terms=_terms,
    )
