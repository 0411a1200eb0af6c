"""Each person's duties as an iCalendar feed (`/duties/feed.ics`), one all-day event per due date.

A calendar program cannot log in, so besides the session the feed takes the person's API
token as `?token=` (`kitei token create`), checked exactly as the API checks it. Every
event carries the duty's clause and quote; occurrences without a due date (間隔未設定, 常時,
随時) have no day to put them on and are left out.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from icalendar import Calendar as ICalendar
from icalendar import Event

from kitei.core import access, tokens
from kitei.core.models import Organization
from kitei.core.numbering import fiscal_year
from kitei.duties import queries, schedule
from kitei.people.models import Person


def build(organization: Organization, person: Person, years: list[int]) -> bytes:
    """The feed of the person's occurrences with a due date in the given fiscal years."""
    cal = ICalendar()
    cal.add("prodid", "-//kitei//duties//JA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"kitei 年度の義務 {person.name}")
    for year in years:
        result = schedule.compute(organization, year, person=person.pk)
        for o in queries.narrowed(result.occurrences, queries.Filters(person=person.pk)):
            if o.due is None:
                continue
            event = Event()
            event.add("uid", f"{o.key}@{getattr(organization, 'slug', '')}.kitei")
            event.add("summary", f"{o.duty.title}（{o.scope.name}）")
            event.add("dtstart", o.due)
            event.add("dtend", o.due + timedelta(days=1))
            event.add("dtstamp", timezone.now())
            event.add(
                "description",
                f"根拠: {o.duty.clause}「{o.duty.quote}」\n状態: {o.state.label}",
            )
            cal.add_component(event)
    return bytes(cal.to_ical())


def feed(request: HttpRequest) -> HttpResponse:
    """The requesting person's feed (this fiscal year and the next)."""
    user = request.user
    plain = request.GET.get("token", "")
    if plain:
        checked = tokens.check_api_token(plain)
        if checked.token is None:
            return JsonResponse(
                {"detail": checked.reason, "code": checked.code}, status=checked.status
            )
        user = checked.token.user
    if not getattr(user, "is_authenticated", False):
        return JsonResponse(
            {"detail": "ログインするか、?token= に API トークンを指定してください。"}, status=401
        )
    org = access.organization_of(user)
    person = access.person_of(user)
    if org is None or not isinstance(person, Person):
        return JsonResponse({"detail": "この組織の構成員ではありません。"}, status=403)
    access.require(user, "duties.view", org)
    this_year = fiscal_year(timezone.localdate())
    body = build(org, person, [this_year, this_year + 1])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kitei-duties.ics"'
    return response


__all__ = ["build", "feed"]
