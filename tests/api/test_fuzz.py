"""The API against its own OpenAPI schema (schemathesis): for inputs the schema describes,
and for malformed ones, every answer is documented, never a 5xx (issue 10, point 7).

Bounded and repeatable: a fixed number of examples per operation, derandomised, no deadline.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kitei.api.api import api

from .conftest import token_for

EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
schema.app = WSGIHandler()
# Inputs the schema describes, and malformed ones (ids that are not integers, wrong types …).
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """As Django's test client does: the handler must not close the test's database connection.

    The WSGI handler closes old connections when a request starts and finishes; inside a test
    that is the connection holding the test's transaction (on PostgreSQL it closes for real).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(ito: Any, roster: Any, council_system: Any) -> str:
    """A token of mito's administrator (who may call every operation), and rows to find."""
    return token_for(ito)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_keeps_its_schema(case: Any, fuzz_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)
