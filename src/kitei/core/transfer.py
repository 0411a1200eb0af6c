"""The pages' and commands' side of register imports and exports (shared by the registers).

An upload that passed its check is kept as a file under KITEI_DATA_DIR/uploads, named by
a random token that only the uploader's session knows; the 「取り込む」 button sends the
token, never the file, and the import checks the kept file again before it writes. Kept
files are removed after the import, and any left behind after a day. A file of more than
KITEI_IMPORT_TASK_ROWS rows is imported by a background task (`kitei.core.imports`) whose
progress page the button leads to. The check's outcome (追加 / 変更 cell by cell / 変更なし,
`kitei.core.roundtrip.Diff`) is kept with the token as its fingerprint: the import writes
only when checking the file again gives the same outcome.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TextIO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kitei.core import access, imports, roundtrip
from kitei.core.models import Organization
from kitei.core.tabular import RowError, error_lines, time_limit

Format = Literal["xlsx", "csv"]
# Rows a page imports: a request must end well inside the server's worker timeout (30 s);
# larger files go through `kitei assets import` (100,000 rows take about 20 s there).
WEB_MAX_ROWS = 50_000
# Seconds a page spends reading a file (KITEI_IMPORT_MAX_SECONDS when lower): past them it
# answers with the reason rather than be stopped by the server (a 502).
WEB_MAX_SECONDS = 25.0
KEEP_SECONDS = 24 * 60 * 60
SESSION_KEY = "kitei_register_uploads"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class Plan(Protocol):
    """What a register's check returns: its errors, what it does and a one-sentence summary."""

    @property
    def errors(self) -> Sequence[RowError]: ...

    @property
    def diff(self) -> roundtrip.Diff: ...

    def summary(self) -> str: ...


class UploadForm(forms.Form):
    """A register file to check: .xlsx or CSV (UTF-8 or Shift_JIS)."""

    file = forms.FileField(label=gettext_lazy("ファイル（.xlsx または CSV）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(settings.IMPORT_MAX_UPLOAD_BYTES)  # an .xlsx of 100,000 rows is 5 MB
        if upload.size > limit:
            raise forms.ValidationError(
                _("ファイルが大きすぎます（%(mb)d MB まで）。") % {"mb": limit // (1024 * 1024)}
            )
        return upload


def _folder() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def keep_upload(
    session: SessionBase,
    register: str,
    data: bytes,
    *,
    rows: int = 0,
    name: str = "",
    fingerprint: str = "",
) -> str:
    """Keep a checked upload (`rows` rows, file `name`, the check's `fingerprint`) for the
    import button; its token."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(data)
    kept = dict(session.get(SESSION_KEY, {}))
    kept[token] = {"register": register, "rows": rows, "name": name, "fingerprint": fingerprint}
    session[SESSION_KEY] = kept
    return token


def kept_details(session: SessionBase, token: str) -> tuple[int, str, str]:
    """The rows the check of the upload kept under `token` found, the file's name and the
    check's fingerprint."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if not isinstance(entry, dict):
        return 0, "", ""
    return int(entry.get("rows", 0)), str(entry.get("name", "")), str(entry.get("fingerprint", ""))


def kept_upload(session: SessionBase, register: str, token: str) -> bytes | None:
    """The upload kept under `token` by this session for this register, if still there."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if not isinstance(entry, dict) or entry.get("register") != register:
        return None
    try:
        return (_folder() / f"{token}.upload").read_bytes()
    except OSError:
        return None


def drop_upload(session: SessionBase, token: str) -> None:
    """Forget a kept upload (after its import)."""
    (_folder() / f"{token}.upload").unlink(missing_ok=True)
    kept = dict(session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    session[SESSION_KEY] = kept


def download(data: bytes, fmt: Format, stem: str) -> HttpResponse:
    """A file download named like 情報資産台帳-mito-2026-11-22.xlsx."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


def format_of(path: Path, given: str | None) -> Format:
    """The format asked for, or the one the file name ends with (.csv, else .xlsx)."""
    if given == "csv" or (given is None and path.suffix.lower() == ".csv"):
        return "csv"
    return "xlsx"


def report_errors(errors: Sequence[RowError]) -> list[str]:
    """The command line's report of a bad file: one line per error, then their number."""
    text = _("kitei: 誤りが %(n)d 件あります。何も取り込んでいません。") % {"n": len(errors)}
    return [*error_lines(errors), text]


def run_command(  # noqa: PLR0911 - one exit code per outcome of the CLI contract
    args: argparse.Namespace,
    *,
    check: Callable[[Organization, bytes], Plan],
    write: Callable[[Organization, bytes, access.Actor], Plan],
    export: Callable[[Organization, Format], bytes] | None = None,
    report: Callable[[Sequence[RowError]], list[str]] = report_errors,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`kitei <register> import|export`: 0 when done (or valid in a dry run), 2 otherwise.

    `report` turns a bad file's errors into the lines printed on stderr.
    """
    out, err = out or sys.stdout, err or sys.stderr
    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        print(_("kitei: 組織「%(slug)s」はありません。") % {"slug": args.org}, file=err)
        return 2
    if export is not None and getattr(args, f"{args.command}_command") == "export":
        args.file.write_bytes(export(organization, format_of(args.file, args.format)))
        print(_("kitei: 書き出しました: %(path)s") % {"path": args.file}, file=out)
        return 0
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(_("kitei: ファイルを読めません: %(error)s") % {"error": exc}, file=err)
        return 2
    try:
        if args.dry_run:
            plan = check(organization, data)
        else:
            actor = access.cli_actor(organization, args.as_user, f"kitei {args.command} import")
            plan = write(organization, data, actor)
    except access.UnknownOperatorError as exc:
        print(f"kitei: {exc}", file=err)
        return 2
    except PermissionDenied as exc:
        print(_("kitei: 取り込めませんでした: %(error)s") % {"error": exc}, file=err)
        return 2
    except ValidationError as exc:
        reason = " ".join(exc.messages)
        print(_("kitei: 取り込めませんでした: %(error)s") % {"error": reason}, file=err)
        return 2
    if len(plan.errors) == 1 and plan.errors[0].line is None:  # the file as a whole
        reason = plan.errors[0].reason
        print(_("kitei: 取り込めませんでした: %(error)s") % {"error": reason}, file=err)
        return 2
    if plan.errors:
        print("\n".join(report(plan.errors)), file=err)
        return 2
    text = (
        _("kitei: 誤りはありません。取り込める内容: %(s)s")
        if args.dry_run
        else _("kitei: 取り込みました: %(s)s")
    )
    print(text % {"s": plan.summary()}, file=out)
    if args.dry_run:
        for line in plan.diff.lines():
            print(line, file=out)
    return 0


SHOWN_ERRORS = 500  # a page lists this many bad rows; the command line lists them all


@dataclass(frozen=True, kw_only=True)
class ImportPage:
    """One register's import page: its template, where it goes after, what checks and writes."""

    register: str
    template: str
    done_url: str
    check: Callable[[bytes], Plan]
    write: Callable[[bytes, str], Plan]  # (file, fingerprint of the confirmed check)
    context: dict[str, Any]
    organization: Organization
    rows: Callable[[Any], int]  # the rows of a checked plan (for the background threshold)


def import_page(request: HttpRequest, page: ImportPage) -> HttpResponse:
    """Check an upload (writing nothing) or import the upload checked before.

    「確認する」 posts the file: its every bad row is listed, or, when it has none, it is
    kept and the page offers 「取り込む」, which posts only the token; the kept file is
    checked again and imported in one transaction, or nothing is written. A file of more
    than KITEI_IMPORT_TASK_ROWS rows is imported by a task: 「取り込む」 leads to its progress.
    """
    if request.method == "POST" and request.POST.get("action") == "import":
        return _import_kept(request, page)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _render(request, page, form)
    if not form.is_valid():
        return _render(request, page, form, status=400)
    upload = form.cleaned_data["file"]
    data = _data(upload)
    with time_limit(WEB_MAX_SECONDS):
        plan = page.check(data)
    if plan.errors:
        return _render(request, page, form, plan=plan, status=400)
    rows = page.rows(plan)
    token = keep_upload(
        request.session, page.register, data, rows=rows, name=upload.name,
        fingerprint=plan.diff.fingerprint(),
    )  # fmt: skip
    return _render(
        request, page, form, plan=plan, token=token, file_name=upload.name,
        background=imports.runs_as_task(rows),
    )  # fmt: skip


def _data(upload: Any) -> bytes:
    """The uploaded file's bytes (from the start, however often asked)."""
    upload.seek(0)
    data: bytes = upload.read()
    return data


def _import_kept(request: HttpRequest, page: ImportPage) -> HttpResponse:
    token = request.POST.get("token", "")
    data = kept_upload(request.session, page.register, token)
    form = UploadForm()
    if data is None:
        problem = _("確認したファイルが見つかりません。もう一度ファイルを選んで確認してください。")
        return _render(request, page, form, status=400, problem=problem)
    rows, name, fingerprint = kept_details(request.session, token)
    if imports.runs_as_task(rows):
        item = imports.start_import(
            page.organization, page.register, data, actor=request.user, total=rows,
            file_name=name, options={"expected": fingerprint},
        )  # fmt: skip
        drop_upload(request.session, token)
        return redirect(reverse("import_progress", args=[item.pk]))
    try:
        with time_limit(WEB_MAX_SECONDS):
            plan = page.write(data, fingerprint)
    except ValidationError as exc:  # a service refused a row: nothing was written
        problem = _("取り込めませんでした: %(error)s") % {"error": " ".join(exc.messages)}
        return _render(request, page, form, status=400, problem=problem)
    drop_upload(request.session, token)
    if plan.errors:  # the register changed since the check
        return _render(request, page, form, plan=plan, status=400)
    messages.success(request, _("取り込みました: %(summary)s") % {"summary": plan.summary()})
    return redirect(page.done_url)


def _render(
    request: HttpRequest,
    page: ImportPage,
    form: UploadForm,
    *,
    plan: Plan | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    errors = list(plan.errors) if plan is not None else []
    diff = plan.diff if plan is not None and not errors else None
    context = {
        **page.context,
        "diff": diff,
        "changes": diff.changed[: roundtrip.SHOWN_CHANGES] if diff else (),
        "more_changes": max(0, len(diff.changed) - roundtrip.SHOWN_CHANGES) if diff else 0,
        "form": form,
        "plan": plan,
        "errors": errors[:SHOWN_ERRORS],
        "more_errors": max(0, len(errors) - SHOWN_ERRORS),
        "error_count": len(errors),
        "task_rows": f"{settings.IMPORT_TASK_ROWS:,}",
        **extra,
    }
    return render(request, page.template, context, status=status)
