"""Assigning a unit: the rules for a named unit, "nearest available", and capacity under load."""

from __future__ import annotations

import pytest

from incidents.choices import EventKind
from incidents.services import take_in
from tests.factories import intake_request
from tests.threads import run_at_once
from volunteers.choices import AssignmentState, ResponderStatus
from volunteers.models import Assignment, Responder
from volunteers.services import DispatchError, assign


@pytest.mark.django_db
def test_assigning_a_named_unit_offers_it_and_records_the_step(routed, place_responder, people):
    unit = place_responder("near", 104.607, 35.005, home="621122100001")

    done = assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    unit.refresh_from_db()
    assert done.assignment.state == AssignmentState.OFFERED
    assert (unit.load, unit.status) == (1, ResponderStatus.OFFERED)
    event = routed.events.get(kind=EventKind.ASSIGNMENT)
    assert event.actor == people["village"]
    assert event.data["responder"] == unit.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"capacity": 1, "load": 1}, "is busy"),
        ({"status": ResponderStatus.OFF_DUTY}, "is off duty"),
        ({"skills": ("fire",)}, "does not handle"),
        ({"minutes_ago": 45}, "no recent position"),
        ({"home": "621122101000"}, "give a reason to override"),
    ],
)
def test_a_named_unit_that_may_not_go_is_refused_and_nothing_changes(
    routed, place_responder, people, options, reason
):
    unit = place_responder("unit", 104.607, 35.005, **options)
    load_before = unit.load

    with pytest.raises(DispatchError, match=reason):
        assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    unit.refresh_from_db()
    assert unit.load == load_before
    assert not Assignment.objects.exists()
    assert not routed.events.filter(kind=EventKind.ASSIGNMENT).exists()


@pytest.mark.django_db
def test_another_jurisdiction_goes_with_a_reason(routed, place_responder, people):
    unit = place_responder("next township", 104.625, 35.005, home="621122101000")

    done = assign(
        incident_id=routed.pk,
        actor=people["county"],
        responder_id=unit.pk,
        override_reason="本村调解员均在外",
    )

    assert done.assignment.override_reason == "本村调解员均在外"


@pytest.mark.django_db
def test_nearest_available_takes_the_nearest_unit_that_serves_the_matter(
    routed, place_responder, people
):
    place_responder("nearest but other township", 104.606, 35.005, home="621122101000")
    place_responder("next nearest, county", 104.610, 35.005)
    place_responder("far, county", 104.630, 35.005)

    done = assign(incident_id=routed.pk, actor=people["village"])

    assert done.assignment.responder.name == "next nearest, county"


@pytest.mark.django_db
def test_a_grid_leader_cannot_assign(routed, place_responder, people):
    unit = place_responder("near", 104.607, 35.005)

    with pytest.raises(DispatchError, match="Only dispatchers"):
        assign(incident_id=routed.pk, actor=people["leader_a1"], responder_id=unit.pk)


@pytest.mark.django_db(transaction=True)
def test_sixteen_dispatchers_at_once_never_exceed_any_units_capacity(people, walk, place_responder):
    units = [
        place_responder(f"unit {i}", 104.605 + 0.0005 * i, 35.006, capacity=1 + i % 2)
        for i in range(8)
    ]  # 12 places in all, for 16 matters around one point
    matters = [
        walk(take_in(request=intake_request(), reporter=people["leader_a1"]).incident, "routed")
        for _ in range(16)
    ]
    outcomes = run_at_once(
        [lambda m=m: assign(incident_id=m.pk, actor=people["county"]) for m in matters]
    )

    crashed = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, DispatchError)]
    assert crashed == []  # every thread got an assignment or a clean refusal
    # "Nearest available" sends idle units only (issue 20): each of the 8 gets one offer, and a
    # second place of a unit is for a dispatcher who names it.
    refused = [o for o in outcomes if isinstance(o, DispatchError)]
    assert Assignment.objects.count() == len(units) == len(matters) - len(refused)
    for unit in Responder.objects.all():
        assert unit.assignments.count() == unit.load <= unit.capacity


@pytest.mark.django_db
def test_nearest_available_twice_on_one_matter_sends_a_second_unit(routed, place_responder, people):
    near = place_responder("near", 104.607, 35.005, capacity=2)
    following = place_responder("next", 104.609, 35.005)

    first = assign(incident_id=routed.pk, actor=people["village"])
    second = assign(incident_id=routed.pk, actor=people["village"])

    assert (first.assignment.responder, second.assignment.responder) == (near, following)
