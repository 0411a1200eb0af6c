"""Exception register pages: 事後報告 of an emergency exception, the CISO's periodic review."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kitei.records.books import EXCEPTION_REVIEW
from kitei.records.exceptions import record_exception
from kitei.records.models import RecordEntry

from ..conftest import PASSWORD, activate_totp
from .conftest import approve, file

BACKGROUND = {"background": "災害対応のため私物端末で連絡を取る必要があった"}


def _client(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.get_username(), password=PASSWORD)
    return client


@pytest.mark.django_db
def test_emergency_exception_reported_afterwards_from_the_page(
    mito: Any, sato: Any, gicho: Any
) -> None:
    """8-4(2): the 管理者 reports to the CISO; only the CISO records receiving it."""
    request = file(mito, sato, "exception.request", context={"emergency": True})
    entry = RecordEntry.objects.get(request=request)  # opened when filed, 要事後報告
    activate_totp(sato)
    activate_totp(gicho)
    own = _client(sato)
    assert "事後報告の受領を記録" not in own.get(f"/records/{entry.book}/").content.decode()
    refused = own.post(f"/records/entries/{entry.pk}/report/")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "「例外措置の事後報告の受領」の権限がありません" in text
    assert "最高情報セキュリティ責任者" in text
    assert "8-4(2)" in text
    entry.refresh_from_db()
    assert entry.is_open
    client = _client(gicho)
    page = client.get(f"/records/{entry.book}/").content.decode()
    assert "事後報告の受領を記録" in page
    response = client.post(f"/records/entries/{entry.pk}/report/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_open
    again = client.post(f"/records/entries/{entry.pk}/report/")
    assert again.status_code == 400
    assert "既に記録されています" in again.content.decode()


@pytest.mark.django_db
def test_only_the_ciso_records_the_periodic_review(mito: Any, sato: Any, gicho: Any) -> None:
    request = approve(file(mito, sato, "exception.request"), gicho)
    entry = record_exception(mito, actor=sato.user, request=request, recorded_by=sato,
                             fields=BACKGROUND)  # fmt: skip
    activate_totp(sato)
    activate_totp(gicho)
    refused = _client(sato).post(f"/records/entries/{entry.pk}/review/", {"note": "確認した"})
    assert refused.status_code == 403
    assert "最高情報セキュリティ責任者" in refused.content.decode()
    assert "8-4(3)" in refused.content.decode()
    empty = _client(gicho).post(f"/records/entries/{entry.pk}/review/", {"note": " "})
    assert empty.status_code == 400
    done = _client(gicho).post(f"/records/entries/{entry.pk}/review/", {"note": "継続を確認"})
    assert done.status_code == 302
    review = RecordEntry.objects.get(book=EXCEPTION_REVIEW)
    assert review.fields == {"note": "継続を確認"}
    assert review.recorded_by == gicho
