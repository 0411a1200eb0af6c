"""The .xlsx exports: the findings (指摘事項一覧) and the improvement plans' progress
(改善計画進捗表: each corrective action of each finding, with its latest progress)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.contrib.contenttypes.models import ContentType

from kitei.audits.models import Finding
from kitei.core import tabular
from kitei.core.fiscal import fiscal_year_label
from kitei.corrective.models import CorrectiveAction, ProgressEntry

FINDING_HEADINGS = (
    "指摘番号",
    "監査番号",
    "年度",
    "区分",
    "件名",
    "根拠条項",
    "根拠の引用",
    "対象の課",
    "所管する管理者",
    "期限",
    "状態",
    "原因",
    "改善計画",
)
PROGRESS_HEADINGS = (
    "指摘番号",
    "措置番号",
    "是正措置",
    "担当者",
    "期限",
    "状態",
    "最新の進捗",
    "進捗の記録日",
    "確認者",
    "有効性の確認",
)


def _finding_rows(findings: Sequence[Finding]) -> Iterator[list[object]]:
    for f in findings:
        yield [
            f.number,
            f.audit.number,
            fiscal_year_label(f.audit.programme.fiscal_year),
            str(f.get_kind_display()),
            f.title,
            f.clause,
            f.quote,
            f.department.name,
            f.owner.name,
            f.due_on,
            str(f.get_state_display()),
            f.root_cause,
            f.plan,
        ]


def _progress_rows(findings: Sequence[Finding]) -> Iterator[list[object]]:
    by_id = {f.pk: f for f in findings}
    content_type = ContentType.objects.get_for_model(Finding)
    actions = (
        CorrectiveAction.objects.filter(source_type=content_type, source_id__in=list(by_id))
        .select_related("owner", "verified_by")
        .order_by("source_id", "pk")
    )
    latest: dict[int, ProgressEntry] = {}
    for entry in ProgressEntry.objects.filter(action__in=actions).order_by("recorded_at", "pk"):
        latest[entry.action_id] = entry
    for a in actions:
        last = latest.get(a.pk)
        assert a.source_id is not None  # filtered on it
        yield [
            by_id[a.source_id].number,
            a.number,
            a.title,
            a.owner.name,
            a.due_on,
            str(a.get_state_display()),
            last.note if last else "",
            last.recorded_at.date() if last else None,
            a.verified_by.name if a.verified_by else "",
            a.effectiveness,
        ]


def export_findings(findings: Sequence[Finding]) -> bytes:
    """Two sheets: 指摘事項 and 改善計画進捗表."""
    return tabular.write_xlsx(
        [
            tabular.Sheet(
                title="指摘事項",
                headings=FINDING_HEADINGS,
                rows=_finding_rows(findings),
                count=len(findings),
                widths=[10, 10, 12, 22, 30, 10, 40, 16, 14, 12, 12, 30, 40],
                wrap=[6, 11, 12],
            ),
            tabular.Sheet(
                title="改善計画進捗表",
                headings=PROGRESS_HEADINGS,
                rows=_progress_rows(findings),
                widths=[10, 10, 30, 14, 12, 10, 40, 12, 14, 30],
                wrap=[6, 9],
            ),
        ]
    )
