"""Points far from the sender's jurisdiction, and booleans, are refused on every point input; a
point slightly outside the county is still taken in, tied to the nearest grid and flagged."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from tests.incidents.page_helpers import window_post
from volunteers.models import Responder

pytestmark = pytest.mark.django_db

BEIJING = [116.397, 39.909]
URUMQI = [87.617, 43.793]
# The test county is [104.60, 104.64] × [35.00, 35.02]; 0.05° of longitude ≈ 4.6 km.
FIVE_KM_EAST = [104.69, 35.01]


def feature(coordinates, kind: str = "Point") -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": {
            "uid": str(uuid.uuid4()),
            "category": "neighbours",
            "tier": "ordinary",
            "title": "邻里纠纷",
            "description": "两户争吵。",
        },
    }


def post(client: Client, url: str, body: object):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("point", [BEIJING, URUMQI, [0, 0]], ids=["beijing", "urumqi", "zero"])
def test_a_matter_far_from_the_jurisdiction_is_400_naming_the_geometry(as_user, point):
    response = post(as_user("county"), "/api/incidents/", feature(point))

    assert response.status_code == 400
    assert "outside your jurisdiction" in response.json()["errors"]["geometry"][0]
    assert Incident.objects.count() == 0


def test_one_far_point_of_a_multipoint_refuses_the_matter(as_user):
    response = post(
        as_user("county"), "/api/incidents/", feature([[104.605, 35.005], BEIJING], "MultiPoint")
    )

    assert response.status_code == 400
    assert "geometry" in response.json()["errors"]


@pytest.mark.parametrize("point", [[True, False], [104.6, True], ["104.6", False]])
def test_booleans_are_no_coordinates(as_user, point):
    response = post(as_user("county"), "/api/incidents/", feature(point))

    assert response.status_code == 400
    assert "geometry" in response.json()["errors"]
    assert Incident.objects.count() == 0


def test_a_boolean_accuracy_is_400(as_user):
    body = feature([104.605, 35.005])
    body["properties"]["accuracy_m"] = True

    response = post(as_user("county"), "/api/incidents/", body)

    assert response.status_code == 400
    assert "accuracy_m" in response.json()["errors"]


def test_a_point_slightly_outside_the_county_goes_to_the_nearest_grid_flagged(as_user):
    response = post(as_user("county"), "/api/incidents/", feature(FIVE_KM_EAST))

    assert response.status_code == 201
    properties = response.json()["properties"]
    assert properties["outside_grid"] is True
    assert 4000 < properties["outside_distance_m"] < 5000


def test_the_margin_comes_from_the_settings(as_user, settings):
    settings.POINT_MARGIN_KM = 2

    response = post(as_user("county"), "/api/incidents/", feature(FIVE_KM_EAST))

    assert response.status_code == 400
    assert "more than 2 km" in response.json()["errors"]["geometry"][0]


def test_the_margin_is_measured_from_the_users_own_jurisdiction(as_user, settings):
    # Grid leader A1's jurisdiction is the cell [104.60, 104.61] × [35.00, 35.01].
    settings.POINT_MARGIN_KM = 1
    client = as_user("leader_a1")

    assert post(client, "/api/incidents/", feature([104.605, 35.005])).status_code == 201
    assert post(client, "/api/incidents/", feature([104.635, 35.015])).status_code == 400


@pytest.mark.parametrize(
    ("url", "user"), [("/incidents/new/window/", "village"), ("/incidents/new/field/", "leader_a1")]
)
def test_the_window_and_field_forms_refuse_a_far_point(as_user, url, user):
    body = window_post(lon=str(BEIJING[0]), lat=str(BEIJING[1]))

    response = as_user(user).post(url, body)

    assert response.status_code == 400
    assert "outside your jurisdiction" in response.content.decode()
    assert Incident.objects.count() == 0


def test_a_duplicate_hint_for_a_far_point_is_400(as_user):
    response = as_user("county").get(
        "/api/incidents/duplicates", {"category": "neighbours", "lon": 116.397, "lat": 39.909}
    )

    assert response.status_code == 400
    assert "lon" in response.json()["errors"]


@pytest.fixture
def quiet(place_responder, people) -> Responder:
    unit = place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", members=[people["responder"]]
    )
    Responder.objects.filter(pk=unit.pk).update(
        position_at=timezone.now() - dt.timedelta(minutes=5)
    )
    return unit


@pytest.mark.parametrize(
    "body",
    [
        {"lon": BEIJING[0], "lat": BEIJING[1]},
        {"position": {"type": "Point", "coordinates": BEIJING}},
        {"lon": True, "lat": False},
        {"position": {"type": "Point", "coordinates": [True, False]}},
    ],
    ids=["beijing", "beijing-geojson", "booleans", "booleans-geojson"],
)
def test_a_far_or_boolean_responder_position_is_400_and_not_stored(quiet, as_user, body):
    before = Responder.objects.get(pk=quiet.pk).position_at

    response = post(as_user("responder"), f"/api/responders/{quiet.pk}/position", body)

    assert response.status_code == 400
    assert {name.split(".")[0] for name in response.json()["errors"]} & {"lon", "lat", "position"}
    assert Responder.objects.get(pk=quiet.pk).position_at == before


def test_the_distance_test_is_one_query(people):
    from gridmap.scoping import far_point_message

    user = people["county"]
    far_point_message(user, [(104.605, 35.005)])  # the user's row is read once per request

    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        message = far_point_message(user, [(104.605, 35.005), tuple(BEIJING)])
    elapsed = time.perf_counter() - start

    assert len(queries) == 1
    assert "ST_DWithin" in queries[0]["sql"]
    assert message is not None
    assert elapsed < 0.5
