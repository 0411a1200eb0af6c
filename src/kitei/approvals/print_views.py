"""The printable 申請書 of a request: what was asked, the decision and its clauses, the 決裁欄.

One A4 portrait sheet (static/kitei/print.css) from the same facts as the request page and
under the same check: a member of the organisation who may view requests, and a request of
that organisation (another's is a 404). PDF output is the reports module's (issue 9).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kitei.approvals import views


@login_required
@require_GET
def request_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The request as a 申請書 to print: its content, the decision, one 決裁欄 box per step."""
    org, person = views._member(request, "requests.view")  # the request page's own checks
    item = views._request(org, pk)
    context = views._detail_context(person, item)
    context.update(
        org=org,
        printed_at=timezone.localtime(),
        applicant_department=item.applicant.department,
        comments=[
            verdict["approval"]
            for row in context["steps"]
            for verdict in row["verdicts"]
            if verdict["approval"].comment
        ],
    )
    return render(request, "approvals/request_print.html", context)
