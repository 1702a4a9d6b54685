"""The dispatch API with roads: candidates carry their ETA and how it was worked out, and a unit's
way to the matter comes as a GeoJSON line for the console's map."""

from __future__ import annotations

import pytest

from tests.volunteers.test_candidates_by_road import ACROSS, ALONG, MATTER, RIVER, load_roads
from volunteers.choices import ResponderStatus
from volunteers.services import assign

pytestmark = pytest.mark.django_db


def route_url(incident_id: int, responder_id: int) -> str:
    return f"/api/incidents/{incident_id}/candidates/{responder_id}/route"


@pytest.fixture
def river_units(routed, place_responder):
    across = place_responder("across", *ACROSS, travel_mode="bike")
    along = place_responder("along", *ALONG, travel_mode="bike")
    return across, along


def test_candidates_say_their_eta_by_road(river_units, routed, as_user):
    load_roads(*RIVER)

    first, second = as_user("village").get(f"/api/incidents/{routed.pk}/candidates").json()

    assert [first["name"], second["name"]] == ["along", "across"]
    assert (first["eta_source"], first["eta_source_label"]) == ("road", "by road")
    assert first["eta_minutes"] == first["eta_min"]
    assert first["eta_minutes"] < second["eta_minutes"]
    assert first["score_minutes"] == pytest.approx(first["eta_minutes"] - 2.5)  # own county


def test_candidates_without_roads_say_straight_line(river_units, routed, as_user):
    first, _ = as_user("village").get(f"/api/incidents/{routed.pk}/candidates").json()

    assert (first["eta_source"], first["eta_source_label"]) == ("straight_line", "straight line")


def test_the_route_of_a_candidate_crosses_the_bridge(river_units, routed, as_user):
    load_roads(*RIVER)
    across, _ = river_units
    client = as_user("village")

    response = client.get(route_url(routed.pk, across.pk))

    assert response.status_code == 200
    feature = response.json()
    line = feature["geometry"]["coordinates"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    assert line[0] == list(ACROSS)
    assert line[-1] == list(MATTER)
    assert [104.655, 35.0095] in line
    assert [104.655, 35.0055] in line
    properties = feature["properties"]
    assert (properties["eta_source"], properties["fallback"]) == ("road", "")
    assert properties["road_m"] > 9000  # to the bridge and back
    listed = client.get(f"/api/incidents/{routed.pk}/candidates").json()
    eta = next(c["eta_minutes"] for c in listed if c["id"] == across.pk)
    assert properties["eta_minutes"] == pytest.approx(eta, abs=1e-6)


def test_without_roads_the_route_is_the_straight_line_labelled(river_units, routed, as_user):
    across, _ = river_units

    feature = as_user("village").get(route_url(routed.pk, across.pk)).json()

    assert feature["geometry"]["coordinates"] == [list(ACROSS), list(MATTER)]
    properties = feature["properties"]
    assert (properties["eta_source"], properties["fallback"]) == ("straight_line", "no_network")
    assert properties["fallback_label"] == "no road network loaded"


def test_a_unit_sent_to_the_matter_keeps_its_route_while_busy(
    routed, place_responder, people, as_user
):
    unit = place_responder("busy", *ALONG, travel_mode="bike", capacity=1)
    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)  # now full

    assert as_user("village").get(route_url(routed.pk, unit.pk)).status_code == 200


def test_no_route_for_a_unit_that_may_not_go(routed, place_responder, as_user):
    fire = place_responder("fire only", *ALONG, skills=("fire",))
    stale = place_responder("stale", *ALONG, minutes_ago=31)

    client = as_user("village")

    for unit in (fire, stale):
        response = client.get(route_url(routed.pk, unit.pk))
        assert response.status_code == 404
        assert "detail" in response.json()
    assert client.get(route_url(routed.pk, 999_999)).status_code == 404


def test_only_the_matters_dispatchers_see_a_route(river_units, routed, as_user):
    across, _ = river_units

    response = as_user("leader_a1").get(route_url(routed.pk, across.pk))

    assert response.status_code == 403  # sees the matter, does not dispatch it


def test_no_route_for_a_unit_that_neither_the_list_nor_the_search_could_offer(
    routed, place_responder, as_user, monkeypatch
):
    # The largest list ranks MAX_CANDIDATES × 4 units: with 1, the 4 nearest.
    monkeypatch.setattr("volunteers.queries.MAX_CANDIDATES", 1)
    near = [place_responder(f"near {k}", 104.606 + k * 0.001, 35.005) for k in range(4)]
    # Beyond the list's window, but the console's search finds it (a county unit serves every
    # township), so its way may be drawn as for a list row.
    far_county = place_responder("far county unit", 104.70, 35.10)
    # Beyond the window and not for this dispatcher: another township's unit, an off-duty one.
    other_township = place_responder("far, other township", 104.70, 35.10, home="621122101000")
    off_duty = place_responder("far, off duty", 104.70, 35.10, status=ResponderStatus.OFF_DUTY)
    client = as_user("village")

    assert client.get(route_url(routed.pk, near[-1].pk)).status_code == 200
    assert client.get(route_url(routed.pk, far_county.pk)).status_code == 200
    assert client.get(route_url(routed.pk, other_township.pk)).status_code == 404
    assert client.get(route_url(routed.pk, off_duty.pk)).status_code == 404
