"""An assignment's steps after the offer: accept, decline (re-offered to the next nearest unit),
on the way, arrived, done, cancelled by a dispatcher, expired by the offer timeout, and ended with
the matter's handling. The lock order is the one of every service here (volunteers.services).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from incidents.choices import DispatchStep, EventKind, State
from incidents.models import Incident, IncidentEvent
from incidents.services import start_locked
from volunteers import announcements
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState
from volunteers.models import Assignment
from volunteers.queries import overdue_offers, responders_with_home
from volunteers.services.offers import _lock_nearest, _offer
from volunteers.services.rules import (
    ASSIGNABLE_STATES,
    DispatchError,
    dispatches_for,
    is_member,
)
from volunteers.services.units import _save_unit


class _Step(NamedTuple):
    sources: tuple[str, ...]
    target: str
    stamp: str  # the Assignment field that records when the step was taken
    by_dispatcher: bool  # a dispatcher of the matter takes it; else a member of the unit


_STEPS: dict[str, _Step] = {
    DispatchStep.ACCEPT: _Step(
        (AssignmentState.OFFERED,), AssignmentState.ACCEPTED, "accepted_at", False
    ),
    DispatchStep.DECLINE: _Step(
        (AssignmentState.OFFERED,), AssignmentState.DECLINED, "finished_at", False
    ),
    DispatchStep.EN_ROUTE: _Step(
        (AssignmentState.ACCEPTED,), AssignmentState.EN_ROUTE, "en_route_at", False
    ),
    DispatchStep.ARRIVE: _Step(
        (AssignmentState.EN_ROUTE,), AssignmentState.ON_SCENE, "on_scene_at", False
    ),
    DispatchStep.DONE: _Step(
        (AssignmentState.ON_SCENE,), AssignmentState.DONE, "finished_at", False
    ),
    DispatchStep.CANCEL: _Step(
        LIVE_ASSIGNMENT_STATES, AssignmentState.CANCELLED, "finished_at", True
    ),
    # Not a user action: expire_offers takes it.
    DispatchStep.EXPIRE: _Step(
        (AssignmentState.OFFERED,), AssignmentState.EXPIRED, "finished_at", True
    ),
}

# The actions people take on an assignment, in the order buttons show them.
ASSIGNMENT_ACTIONS: dict[str, str] = {
    DispatchStep.ACCEPT.value: pgettext_lazy("assignment action", "Accept"),
    DispatchStep.DECLINE.value: pgettext_lazy("assignment action", "Decline"),
    DispatchStep.EN_ROUTE.value: pgettext_lazy("assignment action", "On my way"),
    DispatchStep.ARRIVE.value: pgettext_lazy("assignment action", "Arrived"),
    DispatchStep.DONE.value: pgettext_lazy("assignment action", "Done"),
    DispatchStep.CANCEL.value: pgettext_lazy("assignment action", "Cancel assignment"),
}


def allowed_assignment_actions(user: object, assignment: Assignment) -> list[str]:
    """The actions ``user`` may take on ``assignment`` now (for buttons; the service re-checks)."""
    return [a for a in ASSIGNMENT_ACTIONS if _step_refusal(user, assignment, a) is None]


def _step_refusal(user: object, assignment: Assignment, action: str) -> str | None:
    """Why ``user`` may not take ``action`` on ``assignment`` now, or None if they may."""
    step = _STEPS[action]
    if assignment.state not in step.sources:
        return _("An assignment that is %(state)s cannot be given “%(action)s”.") % {
            "state": AssignmentState(assignment.state).label,
            "action": ASSIGNMENT_ACTIONS[action],
        }
    if step.by_dispatcher:
        if not dispatches_for(user, assignment.incident):
            return _("Only dispatchers of %(unit)s can cancel an assignment.") % {
                "unit": assignment.incident.handling_unit
            }
    elif not is_member(user, assignment.responder):
        return _("Only members of %(unit)s can do this.") % {"unit": assignment.responder}
    return None


def act_on_assignment(
    *,
    assignment_id: int,
    action: str,
    actor: object,
    note: str = "",
    at: dt.datetime | None = None,
    client_uid: str = "",
) -> Assignment:
    """One step of an assignment: accept, decline, en_route, arrive, done (with the outcome
    note) by a member of the unit, or cancel by a dispatcher of the matter.

    A decline offers the matter to the next nearest free unit in the same transaction (or records
    that no one is free); accepting a routed matter starts its handling (in_progress).

    ``at``: when the step happened by the phone's clock (a step queued offline arrives later);
    the trail keeps it and the time the server received it. ``client_uid``: a step already
    taken with this uid is not taken again (a retry after a lost answer returns the assignment).
    """
    if action not in ASSIGNMENT_ACTIONS:
        raise DispatchError(_("Unknown action %(action)r.") % {"action": action})
    with transaction.atomic():
        assignment = _lock_assignment(assignment_id, skip_locked=False)
        if assignment is None:
            raise DispatchError(_("No such assignment."))
        if client_uid and _step_taken(assignment, client_uid):
            return assignment
        reason = _step_refusal(actor, assignment, action)
        if reason is not None:
            raise DispatchError(reason)
        if action == DispatchStep.DONE and not note.strip():
            raise DispatchError(_("Describe the outcome on site to mark the assignment done."))
        now = timezone.now()
        happened = step_time(assignment, at, now)
        _take_step(
            assignment,
            action,
            actor=actor,
            note=note,
            at=happened,
            received_at=now,
            client_uid=client_uid,
        )
        if action == DispatchStep.DECLINE:
            _reoffer(assignment, now)
    return assignment


def step_time(assignment: Assignment, at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When a step happened: the phone's time, kept between the assignment's previous step and
    the server's now (a phone clock that runs fast or slow cannot reorder the trail)."""
    if at is None:
        return now
    previous = [
        t
        for t in (
            assignment.offered_at,
            assignment.accepted_at,
            assignment.en_route_at,
            assignment.on_scene_at,
        )
        if t is not None
    ]
    return min(max(at, *previous), now)


def _step_taken(assignment: Assignment, client_uid: str) -> bool:
    """Whether a step with this client uid is already on the matter's trail."""
    return IncidentEvent.objects.filter(
        incident_id=assignment.incident_id,
        kind=EventKind.ASSIGNMENT,
        data__assignment=assignment.pk,
        data__client_uid=client_uid,
    ).exists()


def _locking_incidents(*, skip_locked: bool) -> QuerySet[Incident]:
    """Matters to lock, nothing joined: this runs once per dispatch step, and a joined handling
    unit and area cost more in planning and model building than the rest of an assignment
    (bench/dispatch.py); the rules read only the unit's id."""
    return Incident.objects.select_for_update(of=("self",), skip_locked=skip_locked)


def _lock_assignment(assignment_id: int, *, skip_locked: bool) -> Assignment | None:
    """Lock the assignment's matter, the assignment and its unit, in that order.

    With ``skip_locked``, None when someone else holds the matter or the assignment (a
    background job comes back later rather than waiting on people).
    """
    incident_id = (
        Assignment.objects.filter(pk=assignment_id).values_list("incident_id", flat=True).first()
    )
    if incident_id is None:
        return None
    incident = _locking_incidents(skip_locked=skip_locked).filter(pk=incident_id).first()
    assignment = (
        Assignment.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .filter(pk=assignment_id)
        .first()
    )
    if incident is None or assignment is None:
        return None
    _attach_locked(assignment, incident)
    return assignment


def _attach_locked(assignment: Assignment, incident: Incident) -> None:
    """Give the locked assignment its (locked) matter, then lock and give it its unit."""
    assignment.incident = incident
    assignment.responder = (
        responders_with_home().select_for_update(of=("self",)).get(pk=assignment.responder_id)
    )


def _take_step(
    assignment: Assignment,
    action: str,
    *,
    actor: object | None,
    note: str,
    at: dt.datetime,
    received_at: dt.datetime | None = None,
    client_uid: str = "",
) -> None:
    """Apply a checked step to the locked assignment, its unit and matter; record it."""
    step = _STEPS[action]
    note = note.strip()
    assignment.state = step.target
    setattr(assignment, step.stamp, at)
    if action == DispatchStep.DECLINE:
        assignment.decline_reason = note
    elif action == DispatchStep.DONE:
        assignment.outcome_note = note
    assignment.save()
    unit = assignment.responder
    if step.target not in LIVE_ASSIGNMENT_STATES:
        unit.load -= 1
    _save_unit(unit)
    incident = assignment.incident
    data = {"responder": unit.pk, "assignment": assignment.pk}
    if client_uid:
        data["client_uid"] = client_uid
    # A unit that takes the matter up is the matter being handled (accepted → in_progress).
    starts = action == DispatchStep.ACCEPT and incident.state == State.ROUTED
    to_state = State.IN_PROGRESS if starts else None
    _record(
        incident,
        action,
        actor=actor,
        at=at,
        note=note,
        to_state=to_state,
        data=data,
        received_at=received_at,
    )
    announcements.announce_step(assignment, action, note)
    if starts:
        start_locked(incident, actor=actor, at=at, data=data)


def _reoffer(previous: Assignment, at: dt.datetime) -> Assignment | None:
    """Offer a declined or expired assignment's matter to the next nearest free unit."""
    incident = previous.incident
    if incident.state not in ASSIGNABLE_STATES:
        return None  # handled or closed meanwhile: nobody else is needed
    found = _lock_nearest(incident, at)
    if found is None:
        _record(
            incident,
            DispatchStep.NO_ONE_FREE,
            actor=None,
            at=at,
            data={"reoffer_of": previous.pk},
        )
        return None
    unit, distance = found
    return _offer(
        unit,
        incident,
        assigned_by=previous.assigned_by,
        distance=distance,
        at=at,
        reoffer_of=previous,
    )


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Expire offers older than DISPATCH_OFFER_TIMEOUT_MINUTES and re-offer each; how many.

    Each expiry is its own transaction and skips matters and offers someone is acting on at that
    moment (the next run takes them), so it can run while people work. Running it again expires
    nothing more.
    """
    now = now or timezone.now()
    expired = 0
    for assignment_id in list(overdue_offers(now).values_list("pk", flat=True)):
        with transaction.atomic():
            assignment = _lock_assignment(assignment_id, skip_locked=True)
            # Re-checked under the lock: accepted or declined since the list was read.
            if assignment is None or not overdue_offers(now).filter(pk=assignment_id).exists():
                continue
            _take_step(assignment, DispatchStep.EXPIRE, actor=None, note="", at=now)
            _reoffer(assignment, now)
            expired += 1
    return expired


def end_live_assignments(*, incident: Incident, at: dt.datetime, **_signal: object) -> int:
    """Cancel the assignments still live on a matter whose handling just ended; how many.

    Connected to ``incidents.signals.handling_ended``: runs in the resolving transaction, which
    holds the matter's lock, so the lock order (matter, assignment, unit) is kept.
    """
    live = Assignment.objects.select_for_update(of=("self",)).filter(
        incident=incident, state__in=LIVE_ASSIGNMENT_STATES
    )
    ended = 0
    for assignment in live.order_by("pk"):
        _attach_locked(assignment, incident)
        note = _("The matter was handled; the assignment ended with it.")
        _take_step(assignment, DispatchStep.CANCEL, actor=None, note=note, at=at)
        ended += 1
    return ended


def _record(
    incident: Incident,
    step: str,
    *,
    actor: object | None,
    at: dt.datetime,
    note: str = "",
    to_state: str | None = None,
    data: dict | None = None,
    received_at: dt.datetime | None = None,
) -> IncidentEvent:
    """Append one dispatch step to the matter's trail (``to_state``: when the step moves it)."""
    return IncidentEvent.objects.create(
        received_at=received_at or timezone.now(),
        incident=incident,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        action=step,
        from_state=incident.state,
        to_state=to_state or incident.state,
        note=note.strip(),
        at=at,
        data=data or {},
    )
