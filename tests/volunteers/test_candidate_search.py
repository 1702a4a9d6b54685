"""Issue 20 point 8: the console searches all candidates, not only the top of the list.

GET /api/incidents/{id}/candidates?q= finds any unit of the dispatcher's jurisdiction that may be
sent to the matter, by its name, home area, township or a skill, with the list's fields (ETA and
eta_source, the same phone rule), and its way may be drawn.
"""

from __future__ import annotations

import pytest

from volunteers.access import Viewer
from volunteers.choices import ResponderStatus
from volunteers.queries import KNN_WINDOW_FACTOR, MAX_CANDIDATES, candidates
from volunteers.serializers import candidate_rows

pytestmark = pytest.mark.django_db


def search(client, incident_id: int, text: str, **params) -> list[dict]:
    response = client.get(f"/api/incidents/{incident_id}/candidates", {"q": text, **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def crowd(routed, place_responder):
    """Twelve units right by the matter, and one 2 km away that no short list reaches."""
    for number in range(12):
        place_responder(f"近处调解员{number:02d}", 104.6055 + number * 0.0001, 35.005)
    return place_responder("远处调解员王五", 104.627, 35.0055, phone="13911112222")


def test_a_unit_beyond_the_top_ten_is_found_by_name_with_the_lists_fields(
    routed, crowd, as_user, people
):
    client = as_user("county")
    top = client.get(f"/api/incidents/{routed.pk}/candidates", {"limit": 10}).json()
    assert crowd.pk not in [row["id"] for row in top]

    (found,) = search(client, routed.pk, "王五")

    assert found["id"] == crowd.pk
    assert found["name"] == "远处调解员王五"
    assert 1800 < found["distance_m"] < 2200
    assert found["eta_minutes"] > 0
    assert found["eta_source"] in ("road", "straight_line")
    assert found["eta_source_label"]
    assert set(found) == set(top[0])
    # The same row the list would give for this unit: one rule for ETA, reasons and the phone.
    listed = candidate_rows(candidates(routed, limit=13), Viewer.of(people["county"]))
    assert found == next(row for row in listed if row["id"] == crowd.pk)


def test_the_search_finds_by_township_village_and_skill(routed, place_responder, as_user):
    village_unit = place_responder("某调解员", 104.61, 35.006, home="621122100001")
    other = place_responder("另一调解员", 104.61, 35.007, skills=("neighbours", "medical"))
    client = as_user("county")
    village = village_unit.home_area.name

    assert [row["id"] for row in search(client, routed.pk, "甲镇")] == [village_unit.pk]
    assert [row["id"] for row in search(client, routed.pk, village)] == [village_unit.pk]
    land = other.skills.get(code="medical")
    assert [row["id"] for row in search(client, routed.pk, land.name)] == [other.pk]


def test_the_search_keeps_to_the_dispatchers_jurisdiction(routed, place_responder, as_user):
    in_b = place_responder("乙乡调解员赵六", 104.632, 35.005, home="621122101000")
    county = place_responder("县调解员赵七", 104.62, 35.005)

    # The village dispatcher: units of its village and the areas above it, not township B's.
    assert [row["id"] for row in search(as_user("village"), routed.pk, "赵")] == [county.pk]
    found = {row["id"] for row in search(as_user("county"), routed.pk, "赵")}
    assert found == {in_b.pk, county.pk}


def test_the_search_finds_only_units_that_may_be_sent(routed, place_responder, as_user):
    place_responder("休息调解员甲", 104.61, 35.005, status=ResponderStatus.OFF_DUTY)
    place_responder("旧位置调解员甲", 104.61, 35.005, minutes_ago=600)
    place_responder("满员调解员甲", 104.61, 35.005, load=1, capacity=1)
    place_responder("不会调解员甲", 104.61, 35.005, skills=("medical",))
    free = place_responder("空闲调解员甲", 104.61, 35.005)

    assert [row["id"] for row in search(as_user("county"), routed.pk, "调解员甲")] == [free.pk]


def test_search_text_is_literal_and_bounded(routed, crowd, as_user):
    client = as_user("county")
    assert search(client, routed.pk, "%") == []
    assert search(client, routed.pk, "_") == []
    assert len(search(client, routed.pk, "调解员", limit=50)) == 13
    response = client.get(f"/api/incidents/{routed.pk}/candidates", {"q": "x" * 51})
    assert response.status_code == 400


def test_a_unit_found_by_search_has_its_way_drawn(routed, crowd, place_responder, as_user):
    # More units nearer than the largest list's window: the far one is only reached by search.
    for number in range(MAX_CANDIDATES * KNN_WINDOW_FACTOR):
        place_responder(f"近处队员{number:03d}", 104.6051 + number * 0.00001, 35.0045)
    in_b = place_responder("乙乡调解员", 104.632, 35.005, home="621122101000")
    client = as_user("village")
    response = client.get(f"/api/incidents/{routed.pk}/candidates/{crowd.pk}/route")
    assert response.status_code == 200
    assert response.json()["properties"]["responder"] == crowd.pk
    # Outside the village dispatcher's jurisdiction: neither found nor drawn.
    response = client.get(f"/api/incidents/{routed.pk}/candidates/{in_b.pk}/route")
    assert response.status_code == 404


def test_only_the_matters_dispatchers_may_search(routed, crowd, as_user):
    response = as_user("leader_a1").get(f"/api/incidents/{routed.pk}/candidates", {"q": "王五"})
    assert response.status_code in (403, 404)
