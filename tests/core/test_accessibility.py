"""Accessibility of the rendered pages (JIS X 8341-3 / WCAG 2.1 AA), read from their HTML.

What axe-core cannot see from one page (tests/browser/test_accessibility.py runs it): every
aria-describedby of every form, before and after a submission with errors, names an element
of the page; required fields say 「必須」 in words; a form with errors starts with a summary
linking to each field; the page is Japanese whatever the browser's language; ✓ and — are
told in words; pagers have words, not only arrows.

The cast: 水戸市議会's `suzuki` staff, `sato` 情報セキュリティ管理者 of 総務課 and `ito`
organisation administrator (tests/conftest.py, tests/approvals/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.people import views as people_views
from kitei.people.services import create_department

from ..conftest import PASSWORD, SETUP, activate_totp, approve_as, file_request_as, make_person

pytestmark = pytest.mark.django_db

FIELD_TAGS = {"input", "select", "textarea"}
TICK = '<span {mark} aria-hidden="true">{text}</span><span class="visually-hidden">{words}</span>'


@dataclass
class Page(HTMLParser):
    """The ids, ARIA references, labels and required fields of one HTML page."""

    ids: set[str] = field(default_factory=set)
    references: list[tuple[str, str]] = field(default_factory=list)  # (attribute, id)
    labels: dict[str, str] = field(default_factory=dict)  # for → the label's text
    required: list[str] = field(default_factory=list)  # ids of required fields
    links: list[str] = field(default_factory=list)  # the error summary's hrefs
    _label_for: str | None = None
    _in_summary: int = 0

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            self.references += [(name, ref) for ref in a.get(name, "").split()]
        if tag == "label" and "for" in a:
            self._label_for = a["for"]
            self.labels[a["for"]] = ""
        hidden = a.get("type") in {"hidden", "submit", "button"}
        if tag in FIELD_TAGS and not hidden and ("required" in a or a.get("aria-required")):
            self.required.append(a.get("id", "?"))
        if tag == "div" and "error-summary" in a.get("class", "").split():
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.links.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None
        if tag == "div" and self._in_summary:
            self._in_summary -= 1

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self.labels[self._label_for] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _client(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    admin = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(admin)
    return admin


@pytest.fixture
def laptop(mito: Any, somu: Any) -> Any:
    return register_asset(
        mito,
        actor=SETUP,
        name="議会用ノートパソコン",
        department=somu,
        form="electronic",
        classification={"機密性": "2", "完全性": "2", "可用性": "2"},
    )


@pytest.fixture
def take_out(mito: Any, suzuki: Any, laptop: Any) -> Any:
    return file_request_as(mito, suzuki, "asset.take_out", asset=laptop, reason="委員会資料")


def _forms(suzuki: Any, sato: Any, ito: Any, laptop: Any, take_out: Any) -> list[tuple[str, str]]:
    """(what, HTML) of every form page: as shown first, and after a submission with errors."""
    activate_totp(sato)
    staff, approver, admin, anonymous = _client(suzuki), _client(sato), _client(ito), Client()
    gets = [
        (anonymous, "/accounts/login/"),
        (staff, "/accounts/password/change/"),
        (staff, "/approvals/new/"),
        (staff, f"/approvals/new/?asset={laptop.pk}"),
        (staff, "/records/x.take-out/add/"),
        (staff, "/records/fault-record/add/"),
        (approver, f"/approvals/{take_out.pk}/"),
        (admin, "/assets/add/"),
        (admin, f"/assets/{laptop.pk}/edit/"),
        (admin, "/systems/add/"),
        (admin, "/people/add/"),
        (admin, "/people/departments/add/"),
        (admin, f"/people/{suzuki.pk}/assign/"),
    ]
    posts = [
        (anonymous, "/accounts/login/", {"login": "", "password": ""}),
        (staff, "/accounts/password/change/", {"oldpassword": "x"}),
        (staff, "/approvals/new/", {"file": "1"}),
        (staff, "/records/x.take-out/add/", {"f_item": ""}),
        (staff, "/records/fault-record/add/", {"f_fault_report": ""}),
        (admin, "/assets/add/", {"name": ""}),  # an empty POST is no submission to these
        (admin, "/systems/add/", {"name": ""}),
        (admin, "/people/add/", {"name": ""}),
        (admin, f"/people/{suzuki.pk}/assign/", {"role": ""}),
    ]
    pages = []
    for client, url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((f"GET {url}", response.content.decode()))
    for client, url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 400), url  # allauth answers 200
        assert b'class="error-summary"' in response.content, url  # fields with errors
        pages.append((f"POST {url}", response.content.decode()))
    return pages


def test_every_aria_reference_of_every_form_names_an_element_of_the_page(
    suzuki: Any, sato: Any, ito: Any, laptop: Any, take_out: Any
) -> None:
    dangling = []
    for what, html in _forms(suzuki, sato, ito, laptop, take_out):
        page = parse(html)
        dangling += [f"{what}: {a}={ref}" for a, ref in page.references if ref not in page.ids]
    assert dangling == []


def test_the_help_texts_named_by_the_issue_are_linked_to_their_fields(
    suzuki: Any, ito: Any, laptop: Any
) -> None:
    form = _client(suzuki).get("/approvals/new/").content.decode()
    for flag in ("emergency", "external", "minor", "encrypted", "visitor"):
        assert f'aria-describedby="id_{flag}_helptext"' in form
        assert f'<span class="help" id="id_{flag}_helptext">' in form
    assert '<div class="help" id="id_reason_helptext">' in form
    asset_form = _client(ito).get("/assets/add/").content.decode()
    for name in ("retention", "unclear"):
        assert f'aria-describedby="id_{name}_helptext"' in asset_form
        assert f'id="id_{name}_helptext"' in asset_form


def test_required_fields_say_so_in_words(
    suzuki: Any, sato: Any, ito: Any, laptop: Any, take_out: Any
) -> None:
    unmarked = []
    for what, html in _forms(suzuki, sato, ito, laptop, take_out):
        page = parse(html)
        unmarked += [f"{what}: {i}" for i in page.required if "必須" not in page.labels.get(i, "")]
    assert unmarked == []
    form = parse(_client(ito).get("/assets/add/").content.decode())
    assert {"id_name", "id_department"} <= set(form.required)
    assert "必須" not in form.labels["id_description"]  # optional fields are not marked


def test_a_form_with_errors_starts_with_a_summary_linking_to_each_field(ito: Any) -> None:
    response = _client(ito).post("/assets/add/", {"name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    summary = html.split('<div class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert" tabindex="-1" aria-labelledby="error-summary-title"' in summary
    assert "入力内容を確認してください" in summary
    page = parse(html)
    assert page.links[:2] == ["#id_name", "#id_department"]
    assert all(link[1:] in page.ids for link in page.links)
    assert '<a href="#id_name">名称: ' in summary
    assert '<script src="/static/kitei/kitei.js" defer></script>' in html  # focuses it
    assert html.index("error-summary") < html.index('id="id_name"')


def test_a_form_without_errors_has_no_summary(ito: Any) -> None:
    assert "error-summary" not in _client(ito).get("/assets/add/").content.decode()


def test_pages_are_japanese_whatever_the_browser_asks(mito: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    response = client.get("/accounts/login/")
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "<h1>ログイン</h1>" in page
    assert response["Content-Language"] == "ja"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert '<html lang="en">' in response.content.decode()  # the person's own choice
    assert response["Content-Language"] == "en"


def test_quotes_of_the_policy_are_marked_japanese_in_english_pages(
    suzuki: Any, take_out: Any
) -> None:
    client = _client(suzuki)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/approvals/{take_out.pk}/").content.decode()
    assert '<html lang="en">' in page
    assert '<span class="citation" lang="ja">' in page


def test_ticks_and_dashes_are_told_in_words(mito: Any, suzuki: Any, laptop: Any) -> None:
    request = file_request_as(mito, suzuki, "asset.take_out", asset=laptop)
    page = _client(suzuki).get(f"/approvals/{request.pk}/").content.decode()
    ticked = TICK.format(mark='class="tick"', text="✓", words="確認済み")
    assert page.count(ticked) == len(request.stored_decision.obligations) > 0
    assert "aria-label" not in page.split('<ul class="checklist">', 1)[1].split("</ul>", 1)[0]
    request.confirmed_obligations = []
    request.save(update_fields=["confirmed_obligations"])
    page = _client(suzuki).get(f"/approvals/{request.pk}/").content.decode()
    assert TICK.format(mark='class="tick none"', text="—", words="未確認") in page


def test_the_people_pager_has_words(
    ito: Any, suzuki: Any, sato: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(people_views, "PAGE_SIZE", 1)
    page = _client(ito).get("/people/?page=2").content.decode()
    assert '<span aria-hidden="true">←</span> 前へ</a>' in page
    assert '次へ <span aria-hidden="true">→</span></a>' in page
    assert ">←</a>" not in page
    assert ">→</a>" not in page


def test_the_audit_trail_pager_has_words(mito: Any, ito: Any) -> None:
    for n in range(101):  # 50 records a page: the second page has both links
        create_department(mito, actor=SETUP, name=f"部署{n}")
    newest = ChangeRecord.objects.filter(organization=mito).order_by("-seq")[0].seq
    page = _client(ito).get("/audit/", {"before": newest - 49}).content.decode()
    assert 'rel="prev"><span aria-hidden="true">←</span> 新しい記録</a>' in page
    assert 'rel="next">古い記録 <span aria-hidden="true">→</span></a>' in page
    assert '<span aria-hidden="true">«</span> 最新の記録</a>' in page
    assert ">←</a>" not in page
    assert ">→</a>" not in page


def test_an_approved_request_needs_no_form_to_be_accessible(
    sato: Any, suzuki: Any, take_out: Any
) -> None:
    """After the verdict the request page has no form: no reference can dangle there either."""
    approve_as(take_out, sato)
    activate_totp(sato)
    page = parse(_client(sato).get(f"/approvals/{take_out.pk}/").content.decode())
    assert [ref for _a, ref in page.references if ref not in page.ids] == []
