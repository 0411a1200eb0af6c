"""What audits prove on the fiscal-year calendar (kitei.duties): an audit whose report was
issued (sealed) inside a period satisfies the organisation's occurrence of a duty that names
`audit` in `satisfied_by` (002 `annual-audit` 10-1(1) 毎年度, 003 `cio-audit` 9(1) 定期的 …).
Duties owed per contract are left to the contracts register (not yet built)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kitei.audits.models import Audit
from kitei.core import access
from kitei.duties.satisfiers import Proof, Query


def issued_audits(organization: Any, query: Query) -> Iterator[Proof]:
    """Audits sealed inside [query.start, query.end], each proving the organisation's occurrence."""
    if query.duty.scope != "organization":
        return
    start = timezone.make_aware(datetime.combine(query.start, time.min))
    end = timezone.make_aware(datetime.combine(query.end + timedelta(days=1), time.min))
    rows = access.scoped(Audit.objects.all(), organization).filter(
        sealed_at__gte=start, sealed_at__lt=end
    )
    for audit in rows.order_by("sealed_at", "pk"):
        assert audit.sealed_at is not None  # filtered above
        yield Proof(
            on=timezone.localdate(audit.sealed_at),
            scope_kind="organization",
            scope_id=None,
            label=f"{audit.number} {audit.title}",
            url=reverse("audits:detail", args=[audit.pk]),
            object_type="audits.audit",
            object_id=str(audit.pk),
        )
