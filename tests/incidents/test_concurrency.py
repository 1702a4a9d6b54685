"""Two people at once: threads with their own database connections, committed data."""

from __future__ import annotations

import uuid

import pytest

from incidents import services
from incidents.choices import EventKind, State
from incidents.models import Incident
from incidents.services import WorkflowError, take_in
from tests.factories import intake_request
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_simultaneous_submissions_of_one_uid_make_one_record(people):
    uid = uuid.uuid4()
    reporter = people["leader_a1"]

    def submit():
        return take_in(request=intake_request(uid=uid), reporter=reporter)

    outcomes = run_at_once([submit] * 10)

    assert [type(o).__name__ for o in outcomes] == ["IntakeResult"] * 10
    assert Incident.objects.filter(uid=uid).count() == 1
    assert sum(o.created for o in outcomes) == 1
    assert {o.incident.pk for o in outcomes} == {Incident.objects.get(uid=uid).pk}


def test_two_people_doing_the_same_transition_at_once_one_wins(people, intake):
    incident = intake()

    def assess_as(who: str):
        return lambda: services.assess(incident_id=incident.pk, actor=people[who])

    outcomes = run_at_once([assess_as("village"), assess_as("township")])

    winners = [o for o in outcomes if isinstance(o, Incident)]
    losers = [o for o in outcomes if isinstance(o, WorkflowError)]
    assert (len(winners), len(losers)) == (1, 1)
    assert "cannot be given" in str(losers[0])
    incident.refresh_from_db()
    assert incident.state == State.ASSESSED
    assert incident.events.filter(kind=EventKind.TRANSITION).count() == 1
