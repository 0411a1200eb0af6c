"""Every API error is JSON matching the documented ErrorOut, even before an operation runs;
the docs and the schema need a login in production (issue 10, points 5 and 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kitei.api.api import api

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body.get("errors", []), list)
    return body


@pytest.mark.parametrize(
    "path", ["/api/assets/abc", "/api/systems/1x", "/api/requests/-1", "/api/nothing/here"]
)
def test_a_malformed_id_or_unknown_path_is_a_json_404(staff_api: Client, path: str) -> None:
    body = _error(staff_api.get(path), 404, "not_found")
    assert body["detail"] == "見つかりません。"


def test_an_unsupported_method_is_a_json_405(staff_api: Client) -> None:
    response = staff_api.delete("/api/assets")
    _error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_pages_outside_the_api_keep_their_html_404(suzuki: Any) -> None:
    client = Client()
    client.login(username="suzuki", password=PASSWORD)
    response = client.get("/assets/abc/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_422_of_filing_has_the_documented_fields(staff_api: Client) -> None:
    response = staff_api.post("/api/requests", "{}", content_type="application/json")
    body = _error(response, 422, "invalid")
    assert body["errors"]
    assert all(set(e) == {"loc", "msg"} for e in body["errors"])
    assert "（:" not in body["detail"]
    documented = api.get_openapi_schema(path_prefix="/api")
    operation = documented["paths"]["/api/requests"]["post"]
    ref = operation["responses"][422]["content"]["application/json"]["schema"]["$ref"]
    shape = documented["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(shape["required"]) <= set(body)  # nothing it promises is missing
    assert "decision" not in shape["required"]


def test_every_operation_documents_its_errors() -> None:
    documented = api.get_openapi_schema(path_prefix="/api")
    for path, operations in documented["paths"].items():
        for method, operation in operations.items():
            documented_statuses = {int(status) for status in operation["responses"]}
            assert {401, 403, 404, 422} <= documented_statuses, (method, path)


def test_docs_and_schema_need_a_login_in_production(settings: Any, suzuki: Any) -> None:
    settings.DEBUG = False
    for path in ("/api/docs", "/api/openapi.json"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client = Client()
    client.login(username="suzuki", password=PASSWORD)
    assert client.get("/api/docs").status_code == 200
    assert json.loads(client.get("/api/openapi.json").content)["info"]["title"] == "kitei API"
    settings.DEBUG = True  # development: open, as before
    assert Client().get("/api/openapi.json").status_code == 200
