"""An assignment after the offer: its steps, who may take them, re-offers on decline and timeout."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command

from accounts.choices import Role
from incidents.choices import DispatchStep, EventKind, State
from incidents.services import take_in
from tests.factories import intake_request
from tests.threads import run_at_once
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState, ResponderStatus
from volunteers.models import Assignment, Responder
from volunteers.services import (
    ASSIGNMENT_ACTIONS,
    DispatchError,
    act_on_assignment,
    allowed_assignment_actions,
    assign,
    expire_offers,
)


@pytest.fixture
def member(people):
    """The account that acts for the test units (a responder's phone)."""
    return people["responder"]


@pytest.fixture
def unit(place_responder, member):
    return place_responder("near", 104.607, 35.005, members=[member])


@pytest.fixture
def offered(routed, unit, people):
    """The routed matter offered to ``unit`` by the village dispatcher."""
    return assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk).assignment


def act(assignment: Assignment, action: str, actor, note: str = "") -> Assignment:
    return act_on_assignment(assignment_id=assignment.pk, action=action, actor=actor, note=note)


def trail(incident) -> list[tuple[str, str]]:
    return list(incident.events.order_by("at", "id").values_list("kind", "action"))


def dispatch_steps(incident) -> list[str]:
    events = incident.events.filter(kind=EventKind.ASSIGNMENT).order_by("at", "id")
    return list(events.values_list("action", flat=True))


@pytest.mark.django_db
def test_a_unit_goes_from_offer_to_done_and_its_status_and_the_trail_follow(
    offered, unit, member, routed
):
    steps = [
        ("accept", AssignmentState.ACCEPTED, "accepted_at", ResponderStatus.ACCEPTED),
        ("en_route", AssignmentState.EN_ROUTE, "en_route_at", ResponderStatus.EN_ROUTE),
        ("arrive", AssignmentState.ON_SCENE, "on_scene_at", ResponderStatus.ON_SCENE),
        ("done", AssignmentState.DONE, "finished_at", ResponderStatus.AVAILABLE),
    ]
    stamps = [offered.offered_at]
    for action, state, stamp, status in steps:
        done = act(offered, action, member, note="双方达成调解协议" if action == "done" else "")

        unit.refresh_from_db()
        assert done.state == state
        assert getattr(done, stamp) >= stamps[-1]
        stamps.append(getattr(done, stamp))
        assert unit.status == status
        assert unit.load == (0 if action == "done" else 1)

    offered.refresh_from_db()
    assert offered.outcome_note == "双方达成调解协议"
    assert offered.finished_at is not None
    routed.refresh_from_db()
    assert routed.state == State.IN_PROGRESS
    assert dispatch_steps(routed) == ["assign", "accept", "en_route", "arrive", "done"]
    done_event = routed.events.get(action=DispatchStep.DONE)
    assert (done_event.actor, done_event.note) == (member, "双方达成调解协议")
    assert done_event.data == {"responder": unit.pk, "assignment": offered.pk}


@pytest.mark.django_db
def test_accepting_a_routed_matter_starts_its_handling(offered, member, routed):
    act(offered, "accept", member)

    routed.refresh_from_db()
    assert routed.state == State.IN_PROGRESS
    assert trail(routed)[-2:] == [
        (EventKind.ASSIGNMENT, DispatchStep.ACCEPT),
        (EventKind.TRANSITION, "start"),
    ]
    accept, start = routed.events.order_by("-id")[1], routed.events.order_by("-id")[0]
    assert (accept.from_state, accept.to_state) == (State.ROUTED, State.IN_PROGRESS)
    assert (start.from_state, start.to_state, start.actor) == (
        State.ROUTED,
        State.IN_PROGRESS,
        member,
    )


@pytest.mark.django_db
def test_accepting_a_matter_already_in_hand_adds_no_state_change(
    offered, member, routed, place_responder, people
):
    other = place_responder("second", 104.608, 35.005, members=[member])
    second = assign(incident_id=routed.pk, actor=people["village"], responder_id=other.pk)
    act(offered, "accept", member)
    transitions = routed.events.filter(kind=EventKind.TRANSITION).count()

    act(second.assignment, "accept", member)

    assert routed.events.filter(kind=EventKind.TRANSITION).count() == transitions


@pytest.fixture
def stranger_dispatcher(make_user, network):
    """A dispatcher of township B, who does not act for the matter's village center."""
    return make_user("elsewhere", Role.DISPATCHER, network["621122101000"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("walk_to", "action", "who", "note", "reason"),
    [
        ([], "en_route", "member", "", "cannot be given"),
        (["accept"], "accept", "member", "", "cannot be given"),
        (["accept"], "arrive", "member", "", "cannot be given"),
        (["accept", "en_route", "arrive"], "done", "member", " ", "Describe the outcome"),
        ([], "accept", "leader_a1", "", "Only members"),
        ([], "decline", "village", "", "Only members"),
        (["accept"], "cancel", "member", "", "Only dispatchers"),
        (["accept"], "cancel", "stranger", "", "Only dispatchers"),
        ([], "expire", "village", "", "Unknown action"),
    ],
)
def test_a_step_that_is_not_allowed_is_refused_and_nothing_changes(
    offered, unit, member, people, stranger_dispatcher, routed, walk_to, action, who, note, reason
):
    for step in walk_to:
        act(offered, step, member)
    actor = {"member": member, "stranger": stranger_dispatcher}.get(who) or people[who]
    offered.refresh_from_db()
    unit.refresh_from_db()
    routed.refresh_from_db()
    before = (offered.state, offered.updated_at, unit.load, unit.status, routed.state)
    events = routed.events.count()

    with pytest.raises(DispatchError, match=reason):
        act(offered, action, actor, note=note)

    offered.refresh_from_db()
    unit.refresh_from_db()
    routed.refresh_from_db()
    assert (offered.state, offered.updated_at, unit.load, unit.status, routed.state) == before
    assert routed.events.count() == events


@pytest.mark.django_db
def test_the_buttons_offered_follow_the_state_and_the_person(offered, member, people):
    assert list(ASSIGNMENT_ACTIONS) == ["accept", "decline", "en_route", "arrive", "done", "cancel"]
    assert allowed_assignment_actions(member, offered) == ["accept", "decline"]
    assert allowed_assignment_actions(people["village"], offered) == ["cancel"]
    assert allowed_assignment_actions(people["leader_a1"], offered) == []

    act(offered, "accept", member)
    offered.refresh_from_db()

    assert allowed_assignment_actions(member, offered) == ["en_route"]


@pytest.fixture
def three_units(place_responder, member):
    """Units at 200 m, 400 m and 1.3 km east of the matter, all acting through ``member``."""
    return [
        place_responder(name, lon, 35.005, members=[member])
        for name, lon in [("near", 104.607), ("next", 104.6095), ("far", 104.6195)]
    ]


@pytest.mark.django_db
def test_a_decline_offers_the_matter_to_the_next_nearest_unit_never_back(
    routed, three_units, member, people
):
    near, following, far = three_units
    first = assign(incident_id=routed.pk, actor=people["village"]).assignment
    assert first.responder == near

    declined = act(first, "decline", member, note="正在处理另一起纠纷")

    assert (declined.state, declined.decline_reason) == (
        AssignmentState.DECLINED,
        "正在处理另一起纠纷",
    )
    assert declined.finished_at is not None
    second = Assignment.objects.get(reoffer_of=first)
    assert (second.responder, second.state) == (following, AssignmentState.OFFERED)
    assert second.assigned_by == people["village"]
    near.refresh_from_db()
    assert (near.load, near.status) == (0, ResponderStatus.AVAILABLE)
    reoffer = routed.events.get(action=DispatchStep.REOFFER)
    assert reoffer.actor is None
    assert reoffer.data["reoffer_of"] == first.pk

    act(second, "decline", member)

    third = Assignment.objects.get(reoffer_of=second)
    assert third.responder == far  # not back to the unit that declined first
    assert dispatch_steps(routed) == ["assign", "decline", "reoffer", "decline", "reoffer"]


@pytest.mark.django_db
def test_when_no_one_else_is_free_the_decline_stands_and_the_trail_says_so(
    offered, unit, member, routed
):
    act(offered, "decline", member)

    offered.refresh_from_db()
    unit.refresh_from_db()
    assert offered.state == AssignmentState.DECLINED
    assert (unit.load, unit.status) == (0, ResponderStatus.AVAILABLE)
    assert Assignment.objects.count() == 1
    no_one = routed.events.get(action=DispatchStep.NO_ONE_FREE)
    assert (no_one.actor, no_one.data) == (None, {"reoffer_of": offered.pk})


@pytest.mark.django_db
def test_resolving_a_matter_ends_its_live_assignments_and_frees_the_units(
    offered, unit, member, routed, walk, place_responder
):
    place_responder("next", 104.609, 35.005, members=[member])
    act(offered, "accept", member)

    walk(routed, "resolved")

    offered.refresh_from_db()
    unit.refresh_from_db()
    assert offered.state == AssignmentState.CANCELLED
    assert offered.finished_at is not None
    assert (unit.load, unit.status) == (0, ResponderStatus.AVAILABLE)
    assert Assignment.objects.count() == 1  # nobody else is offered a handled matter
    assert dispatch_steps(routed) == ["assign", "accept", "cancel"]
    with pytest.raises(DispatchError):
        act(offered, "en_route", member)


@pytest.mark.django_db
def test_an_unanswered_offer_expires_after_five_minutes_and_goes_to_the_next_unit(
    routed, three_units, people
):
    near, following, _far = three_units
    first = assign(incident_id=routed.pk, actor=people["village"]).assignment

    assert expire_offers(now=first.offered_at + dt.timedelta(minutes=4)) == 0
    later = first.offered_at + dt.timedelta(minutes=6)
    assert expire_offers(now=later) == 1

    first.refresh_from_db()
    assert (first.state, first.finished_at) == (AssignmentState.EXPIRED, later)
    second = Assignment.objects.get(reoffer_of=first)
    assert (second.responder, second.offered_at) == (following, later)
    near.refresh_from_db()
    assert (near.load, near.status) == (0, ResponderStatus.AVAILABLE)
    assert dispatch_steps(routed) == ["assign", "expire", "reoffer"]
    assert routed.events.get(action=DispatchStep.EXPIRE).actor is None
    assert expire_offers(now=later) == 0  # run again: nothing more


@pytest.mark.django_db
def test_the_expiry_command_counts_and_its_dry_run_changes_nothing(offered, capsys):
    Assignment.objects.filter(pk=offered.pk).update(
        offered_at=offered.offered_at - dt.timedelta(minutes=6)
    )

    call_command("expire_offers", "--dry-run")
    offered.refresh_from_db()
    assert offered.state == AssignmentState.OFFERED
    assert re.search(r"\b1\b", capsys.readouterr().out)

    call_command("expire_offers")
    offered.refresh_from_db()
    assert offered.state == AssignmentState.EXPIRED
    assert re.search(r"\b1\b", capsys.readouterr().out)


@pytest.mark.django_db
def test_cancelling_frees_the_units_place_for_another_matter(
    offered, unit, member, people, walk, routed
):
    act(offered, "accept", member)

    act(offered, "cancel", people["village"], note="当事人已自行和解")

    offered.refresh_from_db()
    unit.refresh_from_db()
    assert (offered.state, unit.load, unit.status) == (
        AssignmentState.CANCELLED,
        0,
        ResponderStatus.AVAILABLE,
    )
    assert routed.events.get(action=DispatchStep.CANCEL).note == "当事人已自行和解"
    assert not Assignment.objects.filter(reoffer_of=offered).exists()  # a cancel is not re-offered
    other = walk(take_in(request=intake_request(), reporter=people["leader_a1"]).incident, "routed")
    again = assign(incident_id=other.pk, actor=people["village"], responder_id=unit.pk)
    assert again.assignment.state == AssignmentState.OFFERED


@pytest.mark.django_db
def test_a_unit_with_two_assignments_shows_its_furthest_step(offered, unit, member, people, walk):
    Responder.objects.filter(pk=unit.pk).update(capacity=2)
    for step in ("accept", "en_route"):
        act(offered, step, member)
    other = walk(take_in(request=intake_request(), reporter=people["leader_a1"]).incident, "routed")

    second = assign(incident_id=other.pk, actor=people["village"], responder_id=unit.pk).assignment
    unit.refresh_from_db()
    assert (unit.load, unit.status) == (2, ResponderStatus.EN_ROUTE)

    act(offered, "arrive", member)
    act(offered, "done", member, note="已调解")
    unit.refresh_from_db()
    assert (unit.load, unit.status) == (1, ResponderStatus.OFFERED)

    act(second, "decline", member)
    unit.refresh_from_db()
    assert (unit.load, unit.status) == (0, ResponderStatus.AVAILABLE)


@pytest.mark.django_db
def test_an_off_duty_unit_stays_off_duty_when_its_assignment_ends(offered, unit, member):
    act(offered, "accept", member)
    Responder.objects.filter(pk=unit.pk).update(status=ResponderStatus.OFF_DUTY)

    act(offered, "en_route", member)

    unit.refresh_from_db()
    assert unit.status == ResponderStatus.OFF_DUTY


@pytest.mark.django_db(transaction=True)
def test_two_phones_answering_one_offer_at_once_one_wins(routed, people, place_responder):
    phones = [people["responder"], people["leader_a1"]]  # two accounts of one squad
    unit = place_responder("squad", 104.607, 35.005, members=phones)
    offer = assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk).assignment

    outcomes = run_at_once(
        [
            lambda: act(offer, "accept", phones[0]),
            lambda: act(offer, "decline", phones[1]),
        ]
    )

    refused = [o for o in outcomes if isinstance(o, DispatchError)]
    won = [o for o in outcomes if isinstance(o, Assignment)]
    assert (len(won), len(refused)) == (1, 1)
    offer.refresh_from_db()
    unit.refresh_from_db()
    assert offer.state == won[0].state
    assert unit.load == (1 if offer.state == AssignmentState.ACCEPTED else 0)
    steps = dispatch_steps(routed)
    assert steps.count("accept") + steps.count("decline") == 1


@pytest.mark.django_db(transaction=True)
def test_expiry_running_while_a_member_accepts_never_both(routed, people, place_responder):
    member = people["responder"]
    unit = place_responder("near", 104.607, 35.005, members=[member])
    offer = assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk).assignment
    later = offer.offered_at + dt.timedelta(minutes=6)

    outcomes = run_at_once([lambda: act(offer, "accept", member), lambda: expire_offers(now=later)])

    offer.refresh_from_db()
    unit.refresh_from_db()
    if offer.state == AssignmentState.ACCEPTED:
        assert outcomes[1] == 0
    else:
        assert offer.state == AssignmentState.EXPIRED
        assert isinstance(outcomes[0], DispatchError)
    assert unit.load == (1 if offer.state == AssignmentState.ACCEPTED else 0)


@pytest.mark.django_db(transaction=True)
def test_declines_and_dispatchers_at_once_keep_every_unit_within_capacity(
    people, walk, place_responder
):
    member = people["responder"]
    units = [
        place_responder(f"unit {i}", 104.605 + 0.0005 * i, 35.006, members=[member])
        for i in range(8)
    ]

    def matter():
        return walk(
            take_in(request=intake_request(), reporter=people["leader_a1"]).incident, "routed"
        )

    offers = [
        assign(incident_id=matter().pk, actor=people["county"], responder_id=u.pk).assignment
        for u in units[:4]
    ]
    new_matters = [matter() for _ in range(12)]
    outcomes = run_at_once(
        [lambda o=o: act(o, "decline", member) for o in offers]
        + [lambda m=m: assign(incident_id=m.pk, actor=people["county"]) for m in new_matters]
    )

    assert all(isinstance(o, Assignment) for o in outcomes[:4])  # every decline stands
    crashed = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, DispatchError)]
    assert crashed == []  # no deadlock, no constraint violation: offers or clean refusals
    for unit in Responder.objects.all():
        live = unit.assignments.filter(state__in=LIVE_ASSIGNMENT_STATES)
        assert live.count() == unit.load <= unit.capacity
    for offer in offers:
        assert not Assignment.objects.filter(
            incident=offer.incident, responder=offer.responder, reoffer_of__isnull=False
        ).exists()  # never re-offered to the unit that declined
