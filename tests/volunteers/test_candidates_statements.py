"""The candidates API sends a few statements whatever the number of units: the token with its
user and jurisdiction, the matter, the KNN window with what the list shows of its units and the
network in use, then only the routing (docs/roads.md, "Figures")."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import api_key
from tests.volunteers.test_candidates_by_road import RIVER, load_roads

pytestmark = pytest.mark.django_db

MODES = ("walk", "bike", "car")


@pytest.fixture
def units(routed, place_responder):
    """16 units on both banks, every mode: more than a list of 3 ranks (a window of 12)."""
    return [
        place_responder(
            f"unit {index}",
            104.597 + index * 0.0035,
            35.0057 if index % 2 else 35.0093,
            travel_mode=MODES[index % 3],
            home="621122100001" if index % 4 == 0 else "621122000000",
        )
        for index in range(16)
    ]


@pytest.fixture
def client(people) -> Client:
    return Client(headers={"authorization": f"Token {api_key(people['village'])}"})


@pytest.mark.parametrize("limit", [3, 4])
def test_by_road_a_candidates_request_sends_at_most_eight_statements(
    routed, units, client, limit, django_assert_max_num_queries
):
    load_roads(*RIVER)
    url = f"/api/incidents/{routed.pk}/candidates?limit={limit}"
    assert client.get(url).status_code == 200  # the token's use noted, the units' places kept

    # The token, the matter, the window; at most five routing searches, however many units: the
    # units that can make the list in their box and, for those not reached, the wider box; then
    # the others that still can, bounded by the score to beat, and again in their box and the
    # wider one for those a way in time might leave the box for (the river makes them here).
    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    found = response.json()
    assert len(found) == limit
    assert {row["eta_source"] for row in found} == {"road"}
    assert all(row["skills"] and row["home_area"]["code"] for row in found)


def test_without_roads_a_candidates_request_sends_three_statements(
    routed, units, client, django_assert_num_queries
):
    url = f"/api/incidents/{routed.pk}/candidates?limit=3"
    assert client.get(url).status_code == 200

    # The token with its user and jurisdiction, the matter, the window.
    with django_assert_num_queries(3):
        response = client.get(url)

    assert [row["eta_source"] for row in response.json()] == ["straight_line"] * 3
