"""The workflow: every allowed transition, a sample of forbidden ones, the append-only trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.choices import Role
from incidents import services
from incidents.choices import Action, EventKind, State
from incidents.models import IncidentEvent
from incidents.routing import center_for
from incidents.services import (
    TRANSITIONS,
    IncidentInputError,
    WorkflowError,
    allowed_actions,
)


@pytest.fixture
def reach(intake, walk, people):
    """A fresh matter in grid A1 south brought to ``state`` (unresolved via a failed handling)."""

    def run(state: str, satisfaction: str = "satisfied"):
        incident = intake()
        if state == State.UNRESOLVED:
            incident = walk(incident, State.IN_PROGRESS)
            services.mark_unresolved(
                incident_id=incident.pk, actor=people["village"], outcome="无果"
            )
            incident.refresh_from_db()
            return incident
        return walk(incident, state, **{State.FOLLOWED_UP: {"satisfaction": satisfaction}})

    return run


# action → (who acts, extra keyword arguments, the note the event must carry)
CALLS = {
    Action.ASSESS: ("village", {"note": "属一般纠纷"}, "属一般纠纷"),
    Action.ROUTE: ("village", {"note": "本村处理"}, "本村处理"),
    Action.START: ("village", {"note": "已联系双方"}, "已联系双方"),
    Action.RESOLVE: ("village", {"outcome": "双方和解"}, "双方和解"),
    Action.FAIL: ("village", {"outcome": "一方拒绝调解"}, "一方拒绝调解"),
    Action.TRANSFER: ("village", {"note": "需乡镇协调"}, "需乡镇协调"),
    Action.FOLLOW_UP: ("township", {"satisfaction": "dissatisfied", "note": "不满意"}, "不满意"),
    Action.REOPEN: ("township", {"note": "重新调处"}, "重新调处"),
    Action.CLOSE: ("township", {"note": "归档"}, "归档"),
}
EDGES = [(action, source) for action, (sources, _to) in TRANSITIONS.items() for source in sources]


@pytest.mark.parametrize(("action", "source"), EDGES, ids=[f"{a}-from-{s}" for a, s in EDGES])
def test_allowed_transition_moves_the_state_and_appends_one_event(
    reach, people, network, action, source
):
    incident = reach(source, satisfaction="dissatisfied")
    who, kwargs, note = CALLS[action]
    if action == Action.TRANSFER:
        kwargs = {**kwargs, "to_unit": center_for(network["621122100000"])}
    before = incident.events.count()

    services.ACTIONS[action](incident_id=incident.pk, actor=people[who], **kwargs)

    incident.refresh_from_db()
    assert incident.state == TRANSITIONS[action][1]
    assert incident.events.count() == before + 1
    event = incident.events.last()
    assert (
        event.kind,
        event.action,
        event.actor,
        event.from_state,
        event.to_state,
        event.note,
    ) == (
        EventKind.TRANSITION,
        action,
        people[who],
        source,
        TRANSITIONS[action][1],
        note,
    )


FORBIDDEN = [
    (State.RECEIVED, Action.RESOLVE, "village", "cannot be given"),
    (State.IN_PROGRESS, Action.CLOSE, "village", "cannot be given"),
    (State.CLOSED, Action.REOPEN, "township", "cannot be given"),
    (State.FOLLOWED_UP, Action.REOPEN, "township", "dissatisfied"),
    (State.ASSESSED, Action.ROUTE, "leader_a1", "Only dispatchers"),
    (State.IN_PROGRESS, Action.RESOLVE, "boss", "can handle this matter"),
    (State.RECEIVED, Action.ASSESS, "township_b", "Only dispatchers"),
    (State.ROUTED, Action.START, "responder", "can handle this matter"),
    (State.RESOLVED, Action.FOLLOW_UP, "village", "someone other than the handler"),
    (State.RESOLVED, Action.FOLLOW_UP, "leader_b1", "grid's leader"),
]


@pytest.mark.parametrize(
    ("state", "action", "who", "reason"),
    FORBIDDEN,
    ids=[f"{a}-from-{s}-by-{w}" for s, a, w, _r in FORBIDDEN],
)
def test_forbidden_transition_says_why_and_changes_nothing(
    reach, people, network, make_user, state, action, who, reason
):
    people["township_b"] = make_user("township_b", Role.DISPATCHER, network["621122101000"])
    incident = reach(state)
    before_events = incident.events.count()
    _who, kwargs, _note = CALLS[action]
    if action == Action.FOLLOW_UP:
        kwargs = {**kwargs, "satisfaction": "satisfied"}

    with pytest.raises(WorkflowError, match=reason):
        services.ACTIONS[action](incident_id=incident.pk, actor=people[who], **kwargs)

    after = type(incident).objects.get(pk=incident.pk)
    assert (after.state, after.updated_at, after.satisfaction) == (
        incident.state,
        incident.updated_at,
        incident.satisfaction,
    )
    assert after.events.count() == before_events


def test_follow_up_by_the_grids_leader_is_accepted(reach, people):
    incident = reach(State.RESOLVED)

    services.follow_up(incident_id=incident.pk, actor=people["leader_a1"], satisfaction="satisfied")

    incident.refresh_from_db()
    assert (incident.state, incident.satisfaction) == (State.FOLLOWED_UP, "satisfied")


def test_follow_up_by_other_center_staff_is_accepted(reach, people):
    incident = reach(State.RESOLVED)

    services.follow_up(incident_id=incident.pk, actor=people["county"], satisfaction="basically")

    incident.refresh_from_db()
    assert incident.state == State.FOLLOWED_UP


def test_reopen_after_dissatisfied_follow_up_sets_a_new_due_time(reach, people):
    incident = reach(State.FOLLOWED_UP, satisfaction="dissatisfied")
    old_due = incident.due_at
    before = timezone.now()

    services.reopen(incident_id=incident.pk, actor=people["township"], note="当事人不满意")

    incident.refresh_from_db()
    assert incident.state == State.IN_PROGRESS
    assert incident.due_at > old_due
    assert before + dt.timedelta(days=1) <= incident.due_at <= timezone.now() + dt.timedelta(days=1)
    assert (incident.result, incident.handled_at) == ("", None)


def test_reopen_without_a_reason_is_an_input_error(reach, people):
    incident = reach(State.FOLLOWED_UP, satisfaction="dissatisfied")

    with pytest.raises(IncidentInputError) as error:
        services.reopen(incident_id=incident.pk, actor=people["township"], note=" ")

    assert "note" in error.value.errors


def test_resolve_without_an_outcome_is_an_input_error(reach, people):
    incident = reach(State.IN_PROGRESS)

    with pytest.raises(IncidentInputError) as error:
        services.resolve(incident_id=incident.pk, actor=people["village"], outcome="")

    assert "outcome" in error.value.errors


def test_assess_with_a_new_tier_moves_the_due_time(intake, people):
    incident = intake()

    services.assess(incident_id=incident.pk, actor=people["village"], tier="major")

    incident.refresh_from_db()
    assert (incident.tier, incident.due_at - incident.received_at) == ("major", dt.timedelta(30))


def test_start_makes_the_actor_the_handler(reach, people):
    incident = reach(State.IN_PROGRESS)

    assert incident.handler == people["village"]


def test_allowed_actions_lists_what_the_user_may_do_now(reach, people):
    incident = reach(State.ROUTED)

    assert allowed_actions(people["village"], incident) == [Action.START, Action.TRANSFER]
    assert allowed_actions(people["leader_a1"], incident) == []
    assert allowed_actions(people["boss"], incident) == []


# --- the trail ------------------------------------------------------------------------------------


def test_full_path_leaves_one_event_per_step(reach):
    incident = reach(State.CLOSED)

    steps = list(incident.events.values_list("kind", "from_state", "to_state"))
    assert steps == [
        (EventKind.INTAKE, "", State.RECEIVED),
        (EventKind.TRANSITION, State.RECEIVED, State.ASSESSED),
        (EventKind.TRANSITION, State.ASSESSED, State.ROUTED),
        (EventKind.TRANSITION, State.ROUTED, State.IN_PROGRESS),
        (EventKind.TRANSITION, State.IN_PROGRESS, State.RESOLVED),
        (EventKind.TRANSITION, State.RESOLVED, State.FOLLOWED_UP),
        (EventKind.TRANSITION, State.FOLLOWED_UP, State.CLOSED),
    ]


def test_event_cannot_be_updated(intake):
    event = intake().events.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).update(note="rewritten")

    event.refresh_from_db()
    assert event.note == ""


def test_event_cannot_be_deleted(intake):
    event = intake().events.get()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).delete()

    assert IncidentEvent.objects.filter(pk=event.pk).exists()
