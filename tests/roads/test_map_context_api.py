"""GET /api/map/context: the small maps' area names and roads, cut to the user's jurisdiction."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from accounts.choices import Role
from gridmap.choices import AreaLevel
from tests.factories import make_area

pytestmark = pytest.mark.django_db
URL = "/api/map/context"
# Around grid A1 south (104.60..104.61 × 35.00..35.01) and a little of its neighbours.
AROUND_A1 = "104.598,34.998,104.612,35.012"
# Inside township B only (its village B1 spans 104.62..104.63).
IN_B1 = "104.621,35.001,104.629,35.009"
# A road through grid A1 south into grid A2 south.
OWN = "甲镇1村第1网格"
ROAD = ([(104.601, 35.005), (104.609, 35.005), (104.615, 35.006)], "village")


def signed_in(client, make_user, network, role: str, code: str):
    client.force_login(make_user(f"ctx-{role}-{code}", role, network[code]))
    return client


@pytest.fixture
def leader(client, make_user, network):
    return signed_in(client, make_user, network, Role.GRID_LEADER, "621122100001001")


def names(body: dict, level: str) -> set[str]:
    features = body["areas"]["features"]
    return {f["properties"]["name"] for f in features if f["properties"]["level"] == level}


def test_a_grid_leader_gets_the_names_of_the_grid_its_neighbours_and_villages(leader):
    response = leader.get(URL, {"bbox": AROUND_A1})
    assert response.status_code == 200
    body = response.json()
    assert {"甲镇1村第1网格", "甲镇1村第2网格", "甲镇2村第1网格"} <= names(body, "grid")
    assert "甲镇1村" in names(body, "village")
    # Each area carries a point for its label, inside the area.
    first = next(f for f in body["areas"]["features"] if f["properties"]["name"] == OWN)
    lon, lat = first["properties"]["label"]
    assert 104.60 <= lon <= 104.61
    assert 35.00 <= lat <= 35.01
    assert first["geometry"]["type"] == "MultiPolygon"
    # No network loaded: no roads, and it says so.
    assert body["roads"]["features"] == []
    assert body["network"] is None


def test_the_roads_of_the_active_network_come_with_their_class(leader, road_network):
    road_network(ROAD, name="测试路网")
    body = leader.get(URL, {"bbox": AROUND_A1}).json()
    assert body["network"] == "测试路网"
    roads = body["roads"]["features"]
    assert roads
    assert {f["properties"]["road_class"] for f in roads} == {"village"}
    assert all(f["geometry"]["type"] == "LineString" for f in roads)


def test_a_view_showing_nothing_of_the_jurisdiction_is_not_found(leader):
    response = leader.get(URL, {"bbox": IN_B1})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_context_reaches_only_a_margin_beyond_the_jurisdiction(client, make_user, network):
    county = network["621122000000"]
    far = MultiPolygon(Polygon.from_bbox((104.70, 35.00, 104.71, 35.01)), srid=4326)
    township = make_area("621122109000", "远乡", AreaLevel.TOWNSHIP, county, far)
    village = make_area("621122109001", "远村", AreaLevel.VILLAGE, township, far)
    make_area("621122109001001", "远村第1网格", AreaLevel.GRID, village, far)
    wide = "104.59,34.99,104.72,35.03"
    as_leader = signed_in(client, make_user, network, Role.GRID_LEADER, "621122100001001")
    grids = names(as_leader.get(URL, {"bbox": wide}).json(), "grid")
    # Township B's first grid lies 1 km from grid A1: context; the far one 9 km away: not.
    assert "乙乡1村第1网格" in grids
    assert "远村第1网格" not in grids


def test_a_wide_view_gets_villages_only(client, make_user, network):
    as_county = signed_in(client, make_user, network, Role.DISPATCHER, "621122000000")
    body = as_county.get(URL, {"bbox": "104.3,34.8,104.9,35.2"}).json()
    assert body["detail"] is False
    assert names(body, "village")
    assert not names(body, "grid")


@pytest.mark.parametrize("bbox", [None, "1,2,3", "104.61,35.0,104.60,35.01"])
def test_a_missing_or_bad_bbox_is_a_json_400(leader, bbox):
    response = leader.get(URL, {} if bbox is None else {"bbox": bbox})
    assert response.status_code == 400
    assert "detail" in response.json()


def test_anonymous_visitors_get_401(client, network):
    assert client.get(URL, {"bbox": AROUND_A1}).status_code == 401
