"""The incidents REST API's reading side: the list and its filters, the detail, who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Incident
from incidents.services import PartyInput, take_in
from tests.factories import (
    IN_GRID_A1_NORTH,
    IN_GRID_A1_SOUTH,
    IN_GRID_A2_SOUTH,
    IN_GRID_B1_SOUTH,
    intake_request,
)
from tests.incidents.api_helpers import LIST, action_url, detail_url

# GB 11643's published example: a valid resident ID number.
ID_NUMBER = "11010519491231002X"


# --- list and detail -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_a_feature_collection_with_list_properties(as_user, intake):
    incident = intake()

    body = as_user("village").get(LIST).json()

    assert body["type"] == "FeatureCollection"
    assert body["count"] == 1
    props = body["features"][0]["properties"]
    assert props["id"] == incident.pk
    assert props["number"] == incident.number
    assert props["category"] == "neighbours"
    assert props["village_name"] == "甲镇1村"
    assert props["handling_unit_code"] == "center-621122100001"
    assert props["overdue"] is False
    assert props["owner_leader"] is None


@pytest.mark.django_db
def test_a_grid_leader_of_another_village_neither_lists_nor_reads_the_matter(as_user, intake):
    incident = intake()
    client = as_user("leader_b1")

    assert client.get(LIST).json()["count"] == 0
    response = client.get(detail_url(incident.pk))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
def test_list_makes_the_same_number_of_queries_for_one_matter_or_five(as_user, intake):
    client = as_user("county")
    intake()
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(4):
        intake()
    with CaptureQueriesContext(connection) as five:
        body = client.get(LIST).json()

    assert body["count"] == 5
    assert len(five) == len(one)


@pytest.mark.django_db
def test_detail_has_points_parties_photos_trail_and_allowed_actions(as_user, people):
    take_in(
        request=intake_request(parties=[PartyInput("张三丰", "13912345678", ID_NUMBER)]),
        reporter=people["leader_a1"],
    )
    incident = Incident.objects.get()

    props = as_user("village").get(detail_url(incident.pk)).json()["properties"]

    assert props["locations"] == {"type": "MultiPoint", "coordinates": [list(IN_GRID_A1_SOUTH)]}
    assert props["description"] == incident.description
    assert props["events"][0]["kind"] == "intake"
    assert props["events"][0]["to_state_label"] == "Received"
    assert props["events"][0]["actor"] == "leader_a1"
    assert props["allowed_actions"] == ["assess"]
    assert props["parties"][0]["name"] == "张三丰"
    assert props["parties"][0]["masked"] is False


@pytest.mark.django_db
def test_leadership_reads_parties_masked(as_user, people):
    take_in(
        request=intake_request(parties=[PartyInput("张三丰", "13912345678", ID_NUMBER)]),
        reporter=people["leader_a1"],
    )

    props = as_user("boss").get(detail_url(Incident.objects.get().pk)).json()["properties"]

    assert props["parties"][0] == {
        "role": "applicant",
        "role_label": "Applicant",
        "name": "张**",
        "phone": "139****5678",
        "id_number": "110105********002X",
        "masked": True,
    }
    assert props["allowed_actions"] == []


# --- filters -------------------------------------------------------------------------------------


def ids(response) -> set[int]:
    return {feature["properties"]["id"] for feature in response.json()["features"]}


@pytest.mark.django_db
def test_list_filters_by_several_states(as_user, intake):
    received = intake()
    assessed = intake(points=[IN_GRID_A1_NORTH])
    as_user("village").post(action_url(assessed.pk, "assess"), {}, content_type="application/json")
    other_received = intake(points=[IN_GRID_A2_SOUTH])
    client = as_user("county")

    both = client.get(f"{LIST}?state=received&state=assessed")
    only_assessed = client.get(LIST, {"state": "assessed"})

    assert ids(both) == {received.pk, assessed.pk, other_received.pk}
    assert ids(only_assessed) == {assessed.pk}


@pytest.mark.django_db
def test_list_filters_overdue(as_user, people, intake):
    on_time = intake()
    late = take_in(
        request=intake_request(),
        reporter=people["leader_a1"],
        now=timezone.now() - dt.timedelta(days=2),
    ).incident
    client = as_user("county")

    overdue = client.get(LIST, {"overdue": "true"})

    assert ids(overdue) == {late.pk}
    assert overdue.json()["features"][0]["properties"]["overdue"] is True
    assert ids(client.get(LIST, {"overdue": "false"})) == {on_time.pk}


@pytest.mark.django_db
def test_list_filters_by_area_subtree(as_user, intake):
    in_a = intake()
    in_b = intake(points=[IN_GRID_B1_SOUTH], reporter=None)
    client = as_user("county")

    assert ids(client.get(LIST, {"area": "621122100000"})) == {in_a.pk}
    assert ids(client.get(LIST, {"area": "621122101001001"})) == {in_b.pk}


@pytest.mark.django_db
def test_list_text_search_finds_title_and_number(as_user, intake):
    drain = intake()
    fence = intake(title="篱笆倒塌", points=[IN_GRID_A1_NORTH])
    client = as_user("county")

    assert ids(client.get(LIST, {"q": "篱笆"})) == {fence.pk}
    assert ids(client.get(LIST, {"q": drain.number})) == {drain.pk}


@pytest.mark.django_db
def test_list_bbox_keeps_matters_whose_point_lies_inside(as_user, intake):
    south = intake()
    intake(points=[IN_GRID_A1_NORTH])

    response = as_user("county").get(LIST, {"bbox": "104.60,35.00,104.61,35.01"})

    assert ids(response) == {south.pk}


@pytest.mark.parametrize(
    ("name", "value"), [("bbox", "1,2,3"), ("bbox", "104.7,35,104.6,35.1"), ("state", "lost")]
)
@pytest.mark.django_db
def test_malformed_filters_are_400_naming_the_field(as_user, network, name, value):
    response = as_user("county").get(LIST, {name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]
