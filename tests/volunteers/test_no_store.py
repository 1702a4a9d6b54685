"""Responses that carry personal data say ``Cache-Control: no-store``: one test per kind."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from incidents.services import PartyInput
from volunteers.models import Responder
from volunteers.services import assign

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def assert_no_store(response) -> None:
    assert response.status_code in (200, 201), response.status_code
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def with_parties(intake, people):
    parties = [PartyInput(name="李四", phone="13800001111", id_number="11010519491231002X")]
    return intake(reporter=people["village"], parties=parties)


@pytest.fixture
def offered(routed, place_responder, people):
    unit = place_responder(
        "村调解员",
        104.607,
        35.005,
        home="621122100001",
        phone="13912345678",
        members=[people["responder"]],
    )
    return assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk).assignment


def test_a_matters_api_detail_with_parties(people, with_parties):
    assert_no_store(signed_in(people["village"]).get(f"/api/incidents/{with_parties.pk}/"))


def test_a_matters_page_with_parties(people, with_parties):
    assert_no_store(signed_in(people["village"]).get(f"/incidents/{with_parties.pk}/"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_ledger(people, with_parties, fmt):
    assert_no_store(signed_in(people["county"]).get(f"/incidents/ledger.{fmt}"))


def test_a_matters_assignments_with_the_units_phone(people, offered):
    response = signed_in(people["village"]).get(f"/api/incidents/{offered.incident_id}/assignments")

    assert response.json()[0]["responder"]["phone"] == "13912345678"
    assert_no_store(response)


def test_candidates_with_phones_and_positions(people, routed, place_responder):
    place_responder("村调解员", 104.607, 35.005, home="621122100001", phone="13912345678")

    assert_no_store(signed_in(people["village"]).get(f"/api/incidents/{routed.pk}/candidates"))


def test_my_assignments(people, offered):
    assert_no_store(signed_in(people["responder"]).get("/api/assignments/mine"))


def test_a_posted_position(people, offered):
    Responder.objects.filter(pk=offered.responder_id).update(
        position_at=timezone.now() - dt.timedelta(minutes=5)
    )
    response = signed_in(people["responder"]).post(
        f"/api/responders/{offered.responder_id}/position",
        json.dumps({"lon": 104.608, "lat": 35.006}),
        content_type="application/json",
    )

    assert_no_store(response)


def test_the_dispatch_console_page(people, offered):
    assert_no_store(signed_in(people["village"]).get(f"/dispatch/incidents/{offered.incident_id}/"))


def test_responder_tiles_with_positions(people, offered):
    response = signed_in(people["county"]).get("/tiles/responders/14/12951/6495.pbf")

    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_locate_with_the_grid_leaders_phone(client, network):
    # The test network gives every grid a leader.
    response = client.get("/api/areas/locate", {"lon": 104.605, "lat": 35.005})

    assert response.json()["leader"]["phone"]
    assert_no_store(response)
