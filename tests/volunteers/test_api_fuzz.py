"""Schemathesis over /api/schema/ with a county dispatcher's token: every documented operation
gets generated (valid and invalid) requests; no answer may be a server error, a status the
schema does not document, another content type, or a body that breaks its schema.

Bounded for CI: a fixed number of examples per operation, derandomized (the same cases every
run), no deadline. The world is the small test network with matters and units in it.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from incidents.services import PartyInput
from tests.factories import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH, api_key
from volunteers.services import assign

EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connection():
    """Requests go through the WSGI application, whose end closes the database connection (and
    with it the test's transaction); Django's test client unhooks the same signal."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(keep_connection, people, intake, walk, place_responder):
    """Matters in two townships (one routed and offered to a unit), units with phones."""
    party = PartyInput(name="李四", phone="13800001111", id_number="11010519491231002X")
    routed = walk(intake(parties=[party]), "routed")
    intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH])
    unit = place_responder("村调解员", *IN_GRID_A1_SOUTH, home="621122100001", phone="13912345678")
    place_responder("县调解员", 104.62, 35.01, phone="13912340000", members=[people["responder"]])
    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
    return {"token": api_key(people["county"])}


# Read once at collection, through the WSGI application as a client would (no database needed).
# schemathesis.pytest.from_fixture would read it per test, but does not run on pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, fuzz_world):
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzz_world['token']}", "Accept-Language": "en"},
        checks=CHECKS,
    )
