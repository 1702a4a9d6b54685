"""The dispatch REST API: candidates for a matter, assigning a unit, a matter's assignments,
whose phone is shown in full; the schema documents it all."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import api_key
from tests.volunteers.api_helpers import PHONE, post, snapshot
from volunteers.access import Viewer
from volunteers.choices import ResponderStatus
from volunteers.models import Assignment
from volunteers.queries import candidates
from volunteers.serializers import CandidateSerializer, candidate_rows

pytestmark = pytest.mark.django_db

MASKED = "139****5678"


def candidates_url(incident_id: int) -> str:
    return f"/api/incidents/{incident_id}/candidates"


def assign_url(incident_id: int) -> str:
    return f"/api/incidents/{incident_id}/assign"


def assignments_url(incident_id: int) -> str:
    return f"/api/incidents/{incident_id}/assignments"


# --- candidates ----------------------------------------------------------------------------------


def test_candidates_are_ranked_with_distance_eta_reasons_and_the_phone(
    routed, near, place_responder, as_user
):
    place_responder("县调解员", 104.615, 35.005, phone="13800000000")

    response = as_user("village").get(candidates_url(routed.pk))

    assert response.status_code == 200
    first, second = response.json()
    assert [first["name"], second["name"]] == ["村调解员", "县调解员"]
    assert first["id"] == near.pk
    assert first["position"] == [104.607, 35.005]
    assert 150 < first["distance_m"] < 200
    assert first["eta_min"] > 0
    assert first["travel_mode"] == "car"
    assert first["in_jurisdiction"] is True
    assert first["home_area"] == {"code": "621122100001", "name": near.home_area.name}
    assert [s["code"] for s in first["skills"]] == ["neighbours"]
    assert (first["load"], first["capacity"], first["status"]) == (0, 1, "available")
    assert any("m away" in reason for reason in first["reasons"])
    assert (first["phone"], first["phone_masked"]) == (PHONE, False)


def test_candidates_take_a_limit(routed, place_responder, as_user):
    for index in range(3):
        place_responder(f"unit {index}", 104.606 + index * 0.001, 35.005)

    body = as_user("village").get(candidates_url(routed.pk), {"limit": 2}).json()

    assert [c["name"] for c in body] == ["unit 0", "unit 1"]


@pytest.mark.parametrize("limit", ["0", "51", "many"])
def test_a_bad_limit_is_400(routed, as_user, limit):
    response = as_user("village").get(candidates_url(routed.pk), {"limit": limit})

    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


def test_candidates_of_a_matter_you_cannot_see_are_404(routed, as_user):
    assert as_user("leader_b1").get(candidates_url(routed.pk)).status_code == 404


@pytest.mark.parametrize("name", ["leader_a1", "boss"])
def test_candidates_for_someone_who_sees_but_does_not_dispatch_are_403(routed, as_user, name):
    assert as_user(name).get(candidates_url(routed.pk)).status_code == 403


def test_a_token_works_like_the_session(routed, near, people):
    client = Client(headers={"authorization": f"Token {api_key(people['village'])}"})

    assert client.get(candidates_url(routed.pk)).status_code == 200
    assert Client().get(candidates_url(routed.pk)).status_code in (401, 403)


# --- assign --------------------------------------------------------------------------------------


def test_assigning_a_named_unit_answers_201_with_the_assignment(routed, near, as_user):
    response = post(as_user("village"), assign_url(routed.pk), {"responder": near.pk})

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["live"]) == ("offered", True)
    assert body["responder"]["id"] == near.pk
    assert body["responder"]["phone"] == PHONE
    assert body["incident"]["id"] == routed.pk
    assert body["incident"]["location"] == [104.605, 35.005]
    assert 150 < body["distance_m"] < 200
    assert body["allowed_actions"] == ["cancel"]
    near.refresh_from_db()
    assert (near.load, near.status) == (1, ResponderStatus.OFFERED)


def test_assigning_without_a_unit_takes_the_nearest_available(
    routed, near, place_responder, as_user
):
    place_responder("farther", 104.615, 35.005)

    response = post(as_user("village"), assign_url(routed.pk), {"responder": None})

    assert response.status_code == 201
    assert response.json()["responder"]["name"] == "村调解员"


def test_a_busy_unit_is_refused_409_with_the_reason_and_nothing_changes(
    routed, place_responder, as_user
):
    busy = place_responder("busy", 104.607, 35.005, capacity=1, load=1)
    before = snapshot()

    response = post(as_user("village"), assign_url(routed.pk), {"responder": busy.pk})

    assert response.status_code == 409
    assert "is busy" in response.json()["detail"]
    assert snapshot() == before


def test_a_unit_of_another_area_needs_a_reason(routed, place_responder, as_user):
    other = place_responder("乙乡调解员", 104.625, 35.005, home="621122101000")
    client = as_user("township")

    refused = post(client, assign_url(routed.pk), {"responder": other.pk})
    accepted = post(
        client, assign_url(routed.pk), {"responder": other.pk, "override_reason": "本村无人"}
    )

    assert refused.status_code == 409
    assert "give a reason to override" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert accepted.json()["override_reason"] == "本村无人"


@pytest.mark.parametrize("body", [{"responder": "abc"}, {"override_reason": ["x"]}, ["x"]])
def test_a_bad_assign_body_is_400_and_nothing_changes(routed, near, as_user, body):
    before = snapshot()

    response = post(as_user("village"), assign_url(routed.pk), body)

    assert response.status_code == 400
    assert response.json()["errors"]
    assert snapshot() == before


def test_assigning_as_someone_who_does_not_dispatch_is_403_and_unseen_is_404(routed, near, as_user):
    before = snapshot()

    assert (
        post(as_user("leader_a1"), assign_url(routed.pk), {"responder": near.pk}).status_code == 403
    )
    assert (
        post(as_user("leader_b1"), assign_url(routed.pk), {"responder": near.pk}).status_code == 404
    )
    assert snapshot() == before


def test_a_matter_not_yet_routed_cannot_be_assigned(intake, near, as_user):
    received = intake()

    response = post(as_user("village"), assign_url(received.pk), {"responder": near.pk})

    assert response.status_code == 409
    assert "route it first" in response.json()["detail"]


# --- a matter's assignments ----------------------------------------------------------------------


def test_a_matters_assignments_show_state_unit_and_what_you_may_do(offered, as_user):
    body = as_user("village").get(assignments_url(offered.incident_id)).json()

    (row,) = body
    assert (row["id"], row["state"], row["state_label"]) == (offered.pk, "offered", "Offered")
    assert row["offered_at"]
    assert row["accepted_at"] is None
    assert row["reoffer_of"] is None
    assert row["allowed_actions"] == ["cancel"]
    assert row["responder"]["phone"] == PHONE


def test_the_phone_is_masked_for_someone_who_neither_dispatches_nor_belongs(offered, as_user):
    (row,) = as_user("leader_a1").get(assignments_url(offered.incident_id)).json()

    assert (row["responder"]["phone"], row["responder"]["phone_masked"]) == (MASKED, True)
    assert row["allowed_actions"] == []


def test_a_matters_assignments_are_404_for_someone_who_cannot_see_it(offered, as_user):
    assert as_user("leader_b1").get(assignments_url(offered.incident_id)).status_code == 404


# --- schema --------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_dispatch_endpoints(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    for path in (
        "/api/incidents/{id}/candidates",
        "/api/incidents/{id}/assign",
        "/api/incidents/{id}/assignments",
        "/api/assignments/mine",
        "/api/assignments/{id}/{action}/",
        "/api/responders/{id}/position",
    ):
        assert path in paths
    assert "429" in paths["/api/responders/{id}/position"]["post"]["responses"]


def test_phones_of_units_are_in_full_for_members_and_nesting_dispatchers_only(
    routed, place_responder, people, as_user
):
    other = place_responder("乙乡调解员", 104.625, 35.005, home="621122101000", phone=PHONE)

    def phone_seen_by(name: str) -> str:
        (candidate,) = [
            c for c in as_user(name).get(candidates_url(routed.pk)).json() if c["id"] == other.pk
        ]
        return candidate["phone"]

    # The county dispatcher's area holds the unit's township; the township A dispatcher's does not.
    assert phone_seen_by("county") == PHONE
    assert phone_seen_by("township") == MASKED
    assert Assignment.objects.count() == 0


def test_the_candidates_answer_is_what_the_serializer_makes(
    routed, near, place_responder, people, rf
):
    place_responder(
        "多技能队", 104.609, 35.006, kind="squad", skills=("neighbours", "fire", "marriage-family")
    )
    place_responder("乙乡调解员", 104.625, 35.005, home="621122101000", phone=PHONE)
    found = candidates(routed, limit=5)
    assert len(found) == 3
    for name in ("county", "township", "village", "responder"):
        request = rf.get("/")
        request.user = people[name]
        by_hand = candidate_rows(found, Viewer.of(people[name]))
        serialized = CandidateSerializer(found, many=True, context={"request": request}).data
        assert by_hand == serialized, name
        assert [list(row) for row in by_hand] == [list(row) for row in serialized]
