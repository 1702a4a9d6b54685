"""The dispatch REST API seen by a unit's members: my assignments and their steps to done; every
refusal leaves everything as it was."""

from __future__ import annotations

import pytest

from incidents.choices import State
from tests.volunteers.api_helpers import PHONE, post, snapshot
from volunteers.models import Responder
from volunteers.services import assign

pytestmark = pytest.mark.django_db


def step_url(assignment_id: int, action: str) -> str:
    return f"/api/assignments/{assignment_id}/{action}/"


# --- my assignments and their steps --------------------------------------------------------------


def test_my_assignments_lists_the_live_offer_with_accept_and_decline(offered, as_user):
    body = as_user("responder").get("/api/assignments/mine").json()

    (row,) = body
    assert row["id"] == offered.pk
    assert row["incident"]["title"] == offered.incident.title
    assert row["responder"]["phone"] == PHONE
    assert row["allowed_actions"] == ["accept", "decline"]


def test_my_assignments_lists_live_ones_before_finished_ones(
    routed, intake, walk, near, place_responder, people, as_user
):
    other = walk(intake(title="第二件"), "routed")
    first = assign(incident_id=routed.pk, actor=people["village"], responder_id=near.pk)
    client = as_user("responder")
    post(client, step_url(first.assignment.pk, "decline"), {"note": "在外地"})
    Responder.objects.filter(pk=near.pk).update(capacity=2)
    second = assign(incident_id=other.pk, actor=people["village"], responder_id=near.pk)

    body = client.get("/api/assignments/mine").json()

    assert [(row["id"], row["live"]) for row in body][:2] == [
        (second.assignment.pk, True),
        (first.assignment.pk, False),
    ]
    assert body[1]["decline_reason"] == "在外地"


def test_someone_in_no_unit_has_no_assignments(offered, as_user):
    assert as_user("county").get("/api/assignments/mine").json() == []


def test_a_member_walks_an_assignment_to_done_and_the_matter_follows(offered, as_user):
    client = as_user("responder")

    steps = [
        post(client, step_url(offered.pk, action), body)
        for action, body in [
            ("accept", {}),
            ("en_route", {}),
            ("arrive", {}),
            ("done", {"note": "双方和解"}),
        ]
    ]

    assert [r.status_code for r in steps] == [200, 200, 200, 200]
    assert [r.json()["state"] for r in steps] == ["accepted", "en_route", "on_scene", "done"]
    assert steps[-1].json()["outcome_note"] == "双方和解"
    offered.incident.refresh_from_db()
    assert offered.incident.state == State.IN_PROGRESS


def test_done_without_an_outcome_note_is_409_and_nothing_changes(offered, as_user):
    client = as_user("responder")
    for action in ("accept", "en_route", "arrive"):
        post(client, step_url(offered.pk, action), {})
    before = snapshot()

    response = post(client, step_url(offered.pk, "done"), {"note": "  "})

    assert response.status_code == 409
    assert response.json()["detail"]
    assert snapshot() == before


def test_a_dispatcher_cancels_and_cannot_accept_for_the_unit(offered, near, as_user):
    client = as_user("village")

    accept = post(client, step_url(offered.pk, "accept"), {})
    cancel = post(client, step_url(offered.pk, "cancel"), {})

    assert accept.status_code == 409
    assert cancel.status_code == 200
    assert cancel.json()["state"] == "cancelled"
    near.refresh_from_db()
    assert near.load == 0


def test_a_step_by_someone_neither_member_nor_dispatcher_is_404(offered, as_user):
    before = snapshot()

    for name in ("leader_a1", "leader_b1", "boss"):
        assert post(as_user(name), step_url(offered.pk, "accept"), {}).status_code == 404
    assert snapshot() == before


def test_an_unknown_step_or_assignment_is_404(offered, as_user):
    client = as_user("responder")

    assert post(client, step_url(offered.pk, "teleport"), {}).status_code == 404
    assert post(client, step_url(offered.pk + 1000, "accept"), {}).status_code == 404


def test_a_bad_step_body_is_400_and_nothing_changes(offered, as_user):
    before = snapshot()

    response = post(as_user("responder"), step_url(offered.pk, "decline"), {"note": ["x"]})

    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    assert snapshot() == before
