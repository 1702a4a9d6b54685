"""GET /api/routing/isochrone: GeoJSON per cut-off for routing staff, JSON errors otherwise."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from roads.api import ROUTING_ROLES
from tests.roads.test_isochrone import LOOP, START

pytestmark = pytest.mark.django_db
URL = "/api/routing/isochrone"


@pytest.fixture
def dispatcher(network, make_user, client):
    user = make_user("iso-dispatcher", Role.DISPATCHER, network["621122000000"])
    client.force_login(user)
    return client


def query(**params) -> dict:
    return {"lon": START[0], "lat": START[1], **params}


def test_routing_roles_are_roles():
    assert set(Role.values) >= ROUTING_ROLES


def test_a_feature_per_cut_off_with_its_minutes_mode_and_area(dispatcher, road_network):
    road_network(*LOOP)
    response = dispatcher.get(URL, query(minutes="15,5,10", mode="car"))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    props = [f["properties"] for f in body["features"]]
    assert [p["minutes"] for p in props] == [5, 10, 15]
    assert {p["mode"] for p in props} == {"car"}
    assert {p["method"] for p in props} == {"road-buffer"}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in body["features"])
    assert props[0]["area_km2"] < props[2]["area_km2"]


@pytest.mark.parametrize(
    "params",
    [
        {"minutes": "0"},
        {"minutes": "61"},
        {"minutes": "ten"},
        {"mode": "plane"},
        {"lon": "x"},
        {"lon": 110.0, "lat": 30.0},  # far outside the jurisdiction
    ],
)
def test_bad_input_is_a_400_with_a_detail(dispatcher, road_network, params):
    road_network(*LOOP)
    response = dispatcher.get(URL, query(**params))
    assert response.status_code == 400
    assert response.json()["detail"]


def test_no_roads_loaded_is_a_404_that_says_so(dispatcher):
    response = dispatcher.get(URL, query())
    assert response.status_code == 404
    assert "import_roads" in response.json()["detail"]


def test_a_point_far_from_any_road_reaches_nothing_and_says_why(dispatcher, road_network):
    road_network((((104.70, 35.10), (104.71, 35.10)), "county"))
    body = dispatcher.get(URL, query(minutes="10")).json()
    assert body["features"][0]["geometry"] is None
    assert body["reason"]


@pytest.mark.parametrize("role", [Role.GRID_LEADER, Role.RESPONDER])
def test_other_roles_are_refused(network, make_user, client, road_network, role):
    road_network(*LOOP)
    client.force_login(make_user("iso-other", role, network["621122100001001"]))
    assert client.get(URL, query()).status_code == 403


def test_a_user_without_jurisdiction_is_refused(make_user, client, road_network):
    road_network(*LOOP)
    client.force_login(make_user("iso-nowhere", Role.DISPATCHER, None))
    assert client.get(URL, query()).status_code == 403
