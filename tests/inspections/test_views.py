"""The pages: start a campaign, answer, submit, review, roll-up, home lines, tenancy."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from kitei.core.models import ChangeRecord
from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Answer, Campaign, Questionnaire
from tests.conftest import PASSWORD, SETUP, activate_totp, make_person

from .conftest import Cast


def client_for(person: Any) -> Client:
    """A client logged in as the person; administrative roles get their TOTP first."""
    from allauth.mfa.models import Authenticator  # noqa: PLC0415

    if not Authenticator.objects.filter(user=person.user).exists():
        activate_totp(person)
    client = Client()
    assert client.login(username=person.user.get_username(), password=PASSWORD)
    return client


@pytest.fixture
def admin(cast: Cast) -> Client:
    return client_for(cast.admin)


@pytest.fixture
def campaign(cast: Cast) -> Campaign:
    return start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )


def test_a_manager_starts_a_campaign_from_the_page(cast: Cast, admin: Client) -> None:
    page = admin.get("/inspections/").content.decode()
    assert "自己点検を開始する" in page
    assert "所管するネットワーク及び情報システムの自己点検（10-2(1)ア）" in page
    bad = admin.post("/inspections/start/", {"duty": "self-inspection-policy", "fiscal_year": "x"})
    assert bad.status_code == 400
    assert not Campaign.objects.exists()
    response = admin.post(
        "/inspections/start/", {"duty": "self-inspection-systems", "fiscal_year": "2026"}
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{campaign.pk}/"
    detail = admin.get(response["Location"]).content.decode()
    assert "議会ネットワーク" in detail
    assert "加藤 係長" in detail
    assert "未設定" in detail  # the system nobody manages in the register
    again = admin.post(
        "/inspections/start/", {"duty": "self-inspection-systems", "fiscal_year": "2026"}
    )
    assert again.status_code == 400
    assert "開始済み" in again.content.decode()


def test_staff_cannot_start(cast: Cast, campaign: Campaign) -> None:
    client = client_for(cast.suzuki)
    assert "自己点検を開始する" not in client.get("/inspections/").content.decode()
    refused = client.post(
        "/inspections/start/", {"duty": "self-inspection-systems", "fiscal_year": "2027"}
    )
    assert refused.status_code == 403


def test_the_questionnaire_shows_clause_quote_question_and_evidence(
    cast: Cast, campaign: Campaign, disposal: Any
) -> None:
    q = campaign.questionnaires.get(scope="organization")
    client = client_for(cast.officer)
    answers = q.answers.select_related("item").order_by("item__position")
    with_book = next(a for a in answers if "book:disposal-record" in a.item.evidence)
    page_no = (list(answers).index(with_book)) // 25 + 1
    page = client.get(f"/inspections/q/{q.pk}/?page={page_no}").content.decode()
    assert with_book.item.clause in page
    assert with_book.item.quote in page
    assert with_book.item.question.replace("「", "").split("」")[0][:10] in page
    assert "廃棄記録（情報資産の廃棄・リース返却等）: 今年度 1 件（組織全体）" in page
    assert "回答を保存" in page


def test_answer_errors_are_shown_and_nothing_is_saved(cast: Cast, campaign: Campaign) -> None:
    q = campaign.questionnaires.get(department=cast.somu)
    answer = q.answers.order_by("item__position").first()
    assert answer is not None
    client = client_for(cast.sato)
    url = f"/inspections/answers/{answer.pk}/"
    prefix = f"a{answer.pk}"
    refused = client.post(url, {f"{prefix}-choice": "not_applicable", f"{prefix}-reason": ""})
    assert refused.status_code == 400
    assert "「該当なし」には理由を記入してください。" in refused.content.decode()
    answer.refresh_from_db()
    assert answer.choice == ""
    ok = client.post(
        url, {f"{prefix}-choice": "not_applicable", f"{prefix}-reason": "該当業務なし"}
    )
    assert ok.status_code == 302
    answer.refresh_from_db()
    assert (answer.choice, answer.reason) == ("not_applicable", "該当業務なし")
    other = client_for(cast.ono)
    assert other.post(url, {f"{prefix}-choice": "done"}).status_code == 403


def test_submit_and_the_reviewer_confirms(cast: Cast, campaign: Campaign) -> None:
    q = campaign.questionnaires.get(department=cast.somu)
    client = client_for(cast.sato)
    Answer.objects.filter(questionnaire=q).exclude(pk=q.answers.first().pk).update(choice="done")  # type: ignore[union-attr]
    first = q.answers.get(choice="")
    client.post(f"/inspections/answers/{first.pk}/", {f"a{first.pk}-choice": "done"})
    home = client.get("/").content.decode()
    assert "回答待ちの点検票" in home
    response = client.post(f"/inspections/q/{q.pk}/submit/")
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.state == "submitted"
    officer = client_for(cast.officer)
    mine = officer.get("/inspections/mine/").content.decode()
    assert re.search(r"確認待ちの点検票 <span class=\"count\">1 件", mine)
    assert "確認待ちの点検票" in officer.get("/").content.decode()
    refused = officer.post(f"/inspections/q/{q.pk}/review/", {"event": "return", "reason": ""})
    assert refused.status_code == 400
    assert "理由を記入してください。" in refused.content.decode()
    assert client.post(f"/inspections/q/{q.pk}/review/", {"event": "confirm"}).status_code == 403
    done = officer.post(f"/inspections/q/{q.pk}/review/", {"event": "confirm"})
    assert done.status_code == 302
    q.refresh_from_db()
    assert q.state == "confirmed"
    assert ChangeRecord.objects.filter(action="confirm_questionnaire").count() == 1


def test_rollup_page_shows_the_counts(cast: Cast, campaign: Campaign, admin: Client) -> None:
    q = campaign.questionnaires.get(department=cast.somu)
    Answer.objects.filter(questionnaire=q).update(choice="unknown")
    page = admin.get(f"/inspections/{campaign.pk}/rollup/").content.decode()
    n = q.answers.count()
    link = f'<th scope="row"><a href="/inspections/q/{q.pk}/">総務課</a></th>'
    row = re.search(re.escape(link) + "(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[2:] == ["0", "0", "0", "0", str(n), "0"]


def test_another_organisations_questionnaire_is_404(
    cast: Cast, campaign: Campaign, toyama: Any, yamada: Any
) -> None:
    q = campaign.questionnaires.get(department=cast.somu)
    client = client_for(yamada)
    assert client.get(f"/inspections/q/{q.pk}/").status_code == 404
    assert client.get(f"/inspections/{campaign.pk}/").status_code == 404
    assert client.get(f"/inspections/{campaign.pk}/rollup/").status_code == 404


def test_a_persons_questionnaire_is_read_by_them_and_the_reviewer_only(
    toyama: Any, yamada: Any
) -> None:
    chief = make_person(toyama, "chief", "統括 太郎", roles=("chief_information_manager",))
    other = make_person(toyama, "other", "他の 組合員", roles=("union_members",))
    campaign = start_campaign(
        toyama, actor=SETUP, duty_id="questionnaire-inspection",
        fiscal_year=2026,
    )  # fmt: skip
    mine = Questionnaire.objects.get(campaign=campaign, subject=yamada)
    assert client_for(yamada).get(f"/inspections/q/{mine.pk}/").status_code == 200
    assert client_for(other).get(f"/inspections/q/{mine.pk}/").status_code == 404
    assert client_for(chief).get(f"/inspections/q/{mine.pk}/").status_code == 200


def test_excel_download_and_upload_pages(cast: Cast, campaign: Campaign) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from .test_excel import _edit  # noqa: PLC0415

    q = campaign.questionnaires.get(department=cast.somu)
    client = client_for(cast.sato)
    response = client.get(f"/inspections/q/{q.pk}/export.xlsx")
    assert response.status_code == 200
    data = response.content
    bad = _edit(data, {"E2": "たぶん"})
    checked = client.post(
        f"/inspections/q/{q.pk}/upload/",
        {"file": SimpleUploadedFile("q.xlsx", bad), "apply": "1"},
    )
    assert checked.status_code == 400
    assert "回答「たぶん」は選べません" in checked.content.decode()
    good = _edit(data, {"E2": "実施している"})
    dry = client.post(
        f"/inspections/q/{q.pk}/upload/", {"file": SimpleUploadedFile("q.xlsx", good)}
    )
    assert "変更される回答: 1 件" in dry.content.decode()
    assert not q.answers.exclude(choice="").exists()
    done = client.post(
        f"/inspections/q/{q.pk}/upload/",
        {"file": SimpleUploadedFile("q.xlsx", good), "apply": "1"},
    )
    assert done.status_code == 302
    assert q.answers.filter(choice="done").count() == 1
    not_xlsx = client.post(
        f"/inspections/q/{q.pk}/upload/", {"file": SimpleUploadedFile("q.xls", b"\xd0\xcf\x11\xe0")}
    )
    assert not_xlsx.status_code == 400


def test_the_holder_attaches_evidence_with_its_date(
    cast: Cast, campaign: Campaign, evidence_dir: Any
) -> None:
    from tests.conftest import PDF, upload  # noqa: PLC0415

    q = campaign.questionnaires.get(department=cast.somu)
    url = f"/inspections/q/{q.pk}/evidence/"
    form = {"evidence_date": "2026-11-30", "description": "入退室管理簿の写し"}
    other = client_for(cast.suzuki)
    assert "証拠ファイルを添付" not in other.get(url).content.decode()
    assert other.post(url, {**form, "file": upload("log.pdf", PDF)}).status_code == 403
    client = client_for(cast.sato)
    response = client.post(url, {**form, "file": upload("log.pdf", PDF)})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "log.pdf" in page
    assert "2026-11-30" in page
    record = ChangeRecord.objects.get(action="attach_evidence")
    after = json.loads(record.after)
    assert after["evidence_date"] == "2026-11-30"
    assert after["supports"] == {"type": "inspections.questionnaire", "id": str(q.pk)}


def test_toyama_rollup_goes_up_the_questionnaire_chain_to_the_cio(toyama: Any, yamada: Any) -> None:
    make_person(toyama, "chief", "統括 太郎", roles=("chief_information_manager",))
    admin = make_person(toyama, "tadmin", "管理 花子", is_org_admin=True)
    campaign = start_campaign(
        toyama, actor=SETUP, duty_id="questionnaire-inspection", fiscal_year=2026
    )
    page = client_for(admin).get(f"/inspections/{campaign.pk}/rollup/").content.decode()
    assert "アンケート等による点検結果の報告" in page
    assert "統括情報管理者 → 最高情報統括責任者" in page
    assert "9(2)" in page
    assert "ネットワーク及び情報システムの点検結果の報告" not in page  # the other duty's chain
