"""A unit's position in a matter's assignments: only for those who may see units on the map (or
act for the unit), and only while the assignment is live."""

from __future__ import annotations

import pytest
from django.test import Client

from volunteers.services import act_on_assignment, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def near(place_responder, people):
    """A village mediator 180 m east of the matter; the ``responder`` account acts for it."""
    return place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", members=[people["responder"]]
    )


@pytest.fixture
def offered(routed, near, people):
    return assign(incident_id=routed.pk, actor=people["village"], responder_id=near.pk).assignment


def assignments(client: Client, incident_id: int) -> list[dict]:
    return client.get(f"/api/incidents/{incident_id}/assignments").json()


def test_a_dispatcher_sees_the_position_of_a_unit_on_a_live_assignment(offered, as_user):
    (row,) = assignments(as_user("village"), offered.incident_id)

    assert row["responder"]["position"] == [104.607, 35.005]
    assert row["responder"]["position_at"] is not None


def test_a_grid_leader_never_sees_the_units_position(offered, as_user):
    # The responder layer refuses grid leaders: the assignments must not tell them either.
    (row,) = assignments(as_user("leader_a1"), offered.incident_id)

    assert row["responder"]["position"] is None
    assert row["responder"]["position_at"] is None


def test_a_finished_assignment_shows_no_position_even_to_its_dispatcher(
    offered, people, walk, as_user
):
    for step, note in (("accept", ""), ("en_route", ""), ("arrive", ""), ("done", "已调解")):
        act_on_assignment(
            assignment_id=offered.pk, action=step, actor=people["responder"], note=note
        )

    (row,) = assignments(as_user("village"), offered.incident_id)

    assert row["live"] is False
    assert row["responder"]["position"] is None


def test_a_closed_matter_shows_no_position_to_anyone(offered, people, walk, as_user):
    for step, note in (("accept", ""), ("en_route", ""), ("arrive", ""), ("done", "已调解")):
        act_on_assignment(
            assignment_id=offered.pk, action=step, actor=people["responder"], note=note
        )
    walk(offered.incident, "closed")

    for name in ("leader_a1", "village", "county"):
        (row,) = assignments(as_user(name), offered.incident_id)
        assert row["responder"]["position"] is None, name


def test_the_units_member_sees_its_own_position_on_a_live_assignment(offered, as_user):
    (row,) = as_user("responder").get("/api/assignments/mine").json()

    assert row["responder"]["position"] == [104.607, 35.005]
