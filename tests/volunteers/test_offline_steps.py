"""Steps sent late by a phone that was offline (docs/field-app.md): the trail keeps when each
happened and when it arrived, and a retry with the same uid does not take a step twice."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from incidents.choices import EventKind
from incidents.models import IncidentEvent
from tests.volunteers.api_helpers import post
from volunteers.models import Assignment

pytestmark = pytest.mark.django_db


def step_url(assignment_id: int, action: str) -> str:
    return f"/api/assignments/{assignment_id}/{action}/"


def steps(assignment: Assignment) -> list[IncidentEvent]:
    events = IncidentEvent.objects.filter(
        incident=assignment.incident, kind=EventKind.ASSIGNMENT, data__assignment=assignment.pk
    )
    taken = ["accept", "decline", "en_route", "arrive", "done"]
    return list(events.filter(action__in=taken).order_by("at", "id"))


def test_a_step_taken_offline_keeps_its_time_and_the_time_it_arrived(offered, as_user):
    client = as_user("responder")
    # Offered ten minutes ago, accepted a minute later in a valley, sent now.
    offered_at = timezone.now() - dt.timedelta(minutes=10)
    Assignment.objects.filter(pk=offered.pk).update(offered_at=offered_at)
    accepted = offered_at + dt.timedelta(minutes=1)

    response = post(client, step_url(offered.pk, "accept"), {"at": accepted.isoformat()})

    assert response.status_code == 200
    offered.refresh_from_db()
    assert offered.accepted_at == accepted
    (event,) = steps(offered)
    assert event.at == accepted
    assert event.received_at > accepted
    assert timezone.now() - event.received_at < dt.timedelta(minutes=1)


def test_a_retry_with_the_same_uid_takes_the_step_once(offered, as_user):
    client = as_user("responder")
    body = {"uid": str(uuid.uuid4())}
    first = post(client, step_url(offered.pk, "accept"), body)

    again = post(client, step_url(offered.pk, "accept"), body)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["state"] == "accepted"
    assert [e.action for e in steps(offered)] == ["accept"]


def test_the_same_step_with_another_uid_is_still_refused(offered, as_user):
    client = as_user("responder")
    post(client, step_url(offered.pk, "accept"), {"uid": str(uuid.uuid4())})

    response = post(client, step_url(offered.pk, "accept"), {"uid": str(uuid.uuid4())})

    assert response.status_code == 409


def test_a_phone_clock_cannot_put_a_step_before_the_previous_one_or_in_the_future(offered, as_user):
    client = as_user("responder")
    too_early = offered.offered_at - dt.timedelta(hours=2)
    post(client, step_url(offered.pk, "accept"), {"at": too_early.isoformat()})
    future = timezone.now() + dt.timedelta(hours=3)

    post(client, step_url(offered.pk, "en_route"), {"at": future.isoformat()})

    offered.refresh_from_db()
    assert offered.accepted_at == offered.offered_at
    assert offered.accepted_at <= offered.en_route_at <= timezone.now()


def test_a_step_without_a_time_happens_when_it_arrives(offered, as_user):
    post(as_user("responder"), step_url(offered.pk, "accept"), {})

    (event,) = steps(offered)
    assert event.at == event.received_at
