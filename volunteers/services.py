"""Write paths of dispatch: assigning a responder, the assignment's steps, positions from phones.

Capacity is guarded twice: the responder row is locked while its load is checked and changed,
and a check constraint (load <= capacity) refuses any write that would exceed it.

Lock order, the same in every function here: the matter, then the assignment, then the responder
(other responders only with SKIP LOCKED, which never waits). Two people acting at once therefore
queue on the matter's row instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.choices import Role
from gridmap.coords import CoordinateError, parse_number, parse_point
from gridmap.scoping import far_point_message
from incidents.choices import DispatchStep, EventKind, State
from incidents.models import Incident, IncidentEvent
from incidents.services import (
    ACTS_FOR_UNIT_SQL,
    WorkflowError,
    acts_for_unit,
    acts_for_unit_params,
    start_locked,
)
from volunteers import announcements
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState, ResponderStatus
from volunteers.models import WGS84, Assignment, Responder, stale_before
from volunteers.queries import (
    DISPATCHABLE_FROM_WHERE,
    MATTER_POINT,
    covering_area_ids,
    covers,
    overdue_offers,
    responders_with_home,
)

M = TypeVar("M", bound=Model)

DISPATCH_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}
ASSIGNABLE_STATES = (State.ROUTED, State.IN_PROGRESS)
# "Nearest available": KNN windows tried in turn when every unit in the smaller one is locked.
NEAREST_WINDOWS = (8, 32, 128)
# Pauses before each round of windows (seconds): the first round does not wait.
RETRY_PAUSES_S = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16)
# "Nearest available" passes over units that have the matter or turned it down; a dispatcher can
# still name such a unit.
PASSED_OVER_STATES = (*LIVE_ASSIGNMENT_STATES, AssignmentState.DECLINED, AssignmentState.EXPIRED)
# The unit's status is its furthest live step (common to every unit with several assignments).
STATUS_BY_PROGRESS = (
    (AssignmentState.ON_SCENE, ResponderStatus.ON_SCENE),
    (AssignmentState.EN_ROUTE, ResponderStatus.EN_ROUTE),
    (AssignmentState.ACCEPTED, ResponderStatus.ACCEPTED),
    (AssignmentState.OFFERED, ResponderStatus.OFFERED),
)


class DispatchError(WorkflowError):
    """An assignment or step the rules do not allow (HTTP 409); the message says why."""


class PositionInputError(ValueError):
    """A position that cannot be used (HTTP 400); ``field`` names the input, ``message`` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotAMemberError(PermissionError):
    """The user does not act for this responder, or it is retired (HTTP 403)."""


class PositionTooSoon(Exception):  # noqa: N818  (the agreed name)
    """A unit posted its position less than DISPATCH_POSITION_MIN_INTERVAL_S ago (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Dispatched:
    assignment: Assignment
    distance_m: float | None


# --- assigning -----------------------------------------------------------------------------------


def assign(
    *,
    incident_id: int,
    actor: object,
    responder_id: int | None = None,
    override_reason: str = "",
) -> Dispatched:
    """Offer the matter to one unit, or to the nearest available one (``responder_id`` None).

    A named unit that is busy, off duty, stale, without the skill or (without an override reason)
    of another jurisdiction is refused with the reason. "Nearest available" passes over units
    that already have the matter or declined it or let the offer expire.
    """
    with transaction.atomic():
        incident = _lock_incident(incident_id, actor)
        now = timezone.now()
        if responder_id is None:
            found = _lock_nearest(incident, now)
            if found is None:
                raise DispatchError(_("No suitable responder is free near this matter."))
            unit, distance = found
        else:
            unit = (
                responders_with_home()
                .select_for_update(of=("self",))
                .filter(pk=responder_id)
                .first()
            )
            if unit is None:
                raise DispatchError(_("No such responder."))
            _check_named(unit, incident, override_reason)
            distance = _distance_m(unit, incident)
        assignment = _offer(
            unit, incident, assigned_by=actor, distance=distance, at=now, reason=override_reason
        )
        return Dispatched(assignment, distance)


def _locking_incidents(*, skip_locked: bool) -> QuerySet[Incident]:
    """Matters to lock, nothing joined: this runs once per dispatch step, and a joined handling
    unit and area cost more in planning and model building than the rest of an assignment
    (bench/dispatch.py); the rules read only the unit's id."""
    return Incident.objects.select_for_update(of=("self",), skip_locked=skip_locked)


def _loaded(model: type[M], values: dict[str, object]) -> M:
    """A ``model`` instance of a row read by hand: ``values`` by attribute name, every other field
    deferred (it loads on access).

    The hot rows of dispatch are read so rather than through ``Model.objects.raw()``, whose
    description of the columns and look-up of converters took about a third of an assignment's
    Python (bench/dispatch.py).
    """
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


# The matter locked and its actor's right to dispatch it read in one statement (the unit rule of
# dispatches_for in SQL): as an ORM lock and an EXISTS query they were two statements and ~3.8 ms
# of an ~8 ms assignment, mostly building the queries (bench/dispatch.py). Only what the rules
# read is loaded, the point as its coordinates.
_MATTER_COLUMNS = (
    "id",
    "state",
    "category_id",
    "handling_unit_id",
    "county_id",
    "township_id",
    "village_id",
    "grid_id",
)
_LOCK_MATTER_SQL = f"""
SELECT {", ".join(f"i.{column}" for column in _MATTER_COLUMNS)},
       ST_X(i.location), ST_Y(i.location), {ACTS_FOR_UNIT_SQL}
FROM incidents_incident i
WHERE i.id = %(incident)s
FOR UPDATE OF i
"""


def _lock_incident(incident_id: int, actor: object) -> Incident:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_MATTER_SQL, {"incident": incident_id, **acts_for_unit_params(actor)})
        row = cursor.fetchone()
    if row is None:
        raise DispatchError(_("No such matter."))
    *columns, lon, lat, may_dispatch = row
    values = dict(zip(_MATTER_COLUMNS, columns, strict=True))
    incident = _loaded(Incident, {**values, "location": Point(lon, lat, srid=WGS84)})
    if not (has_dispatch_role(actor) and may_dispatch):
        raise DispatchError(
            _("Only dispatchers of %(unit)s can assign.") % {"unit": incident.handling_unit}
        )
    if incident.state not in ASSIGNABLE_STATES:
        raise DispatchError(
            _("A matter that is %(state)s cannot be assigned (route it first).")
            % {"state": State(incident.state).label}
        )
    return incident


def dispatches_for(user: object, incident: Incident) -> bool:
    """Whether ``user`` may assign units to the matter and cancel their assignments: a
    dispatcher of its handling unit."""
    return has_dispatch_role(user) and acts_for_unit(user, incident.handling_unit_id)


def has_dispatch_role(user: object) -> bool:
    """Whether ``user``'s role dispatches at all (which matters: ``dispatches_for``)."""
    return getattr(user, "role", None) in DISPATCH_ROLES


def _check_named(unit: Responder, incident: Incident, override_reason: str) -> None:
    live = Assignment.objects.filter(
        incident=incident, responder=unit, state__in=LIVE_ASSIGNMENT_STATES
    )
    if live.exists():
        raise DispatchError(_("%(unit)s is already assigned to this matter.") % {"unit": unit})
    if not unit.active or unit.status == ResponderStatus.OFF_DUTY:
        raise DispatchError(_("%(unit)s is off duty.") % {"unit": unit})
    if unit.load >= unit.capacity:
        raise DispatchError(
            _("%(unit)s is busy (%(load)d of %(capacity)d assignments).")
            % {"unit": unit, "load": unit.load, "capacity": unit.capacity}
        )
    if incident.category_id not in unit.skill_ids:
        raise DispatchError(
            _("%(unit)s does not handle %(category)s matters.")
            % {"unit": unit, "category": incident.category}
        )
    if unit.is_stale():
        raise DispatchError(_("%(unit)s has no recent position.") % {"unit": unit})
    if not covers(unit, incident) and not override_reason.strip():
        raise DispatchError(
            _("%(unit)s serves %(area)s, not this matter's area; give a reason to override.")
            % {"unit": unit, "area": unit.home_area.name}
        )


# What an offer reads and writes of the unit (and its name, for the dispatcher's message).
_UNIT_COLUMNS = ("id", "name", "load", "capacity", "status", "home_area_id")
# The dispatch lock (REFERENCE.md): ORDER BY <-> … FOR UPDATE fails on this stack ("attempted to
# lock invisible tuple"), so the KNN window is materialised first and the joined rows are locked,
# skipping those another dispatcher holds. Units passed over for this matter are left out of the
# window itself, so they never use up its places.
_NEAREST_SELECT = f"""
WITH c AS MATERIALIZED (SELECT r.id, r.position <-> {MATTER_POINT} AS d {DISPATCHABLE_FROM_WHERE}
      AND r.home_area_id = ANY(%(covering)s)
      AND NOT EXISTS (SELECT 1 FROM volunteers_assignment x
                      WHERE x.incident_id = %(incident)s AND x.responder_id = r.id
                        AND x.state = ANY(%(passed_over)s))
    ORDER BY r.position <-> {MATTER_POINT}
    LIMIT %(window)s
)
SELECT {", ".join(f"r.{column}" for column in _UNIT_COLUMNS)},
       ST_Distance(r.position::geography, {MATTER_POINT}::geography)
FROM volunteers_responder r JOIN c USING (id)
WHERE r.load < r.capacity AND r.status <> 'off_duty'
ORDER BY c.d
LIMIT 1
"""
_NEAREST_SQL = _NEAREST_SELECT + "FOR UPDATE OF r SKIP LOCKED"


def _lock_nearest(incident: Incident, now: dt.datetime) -> tuple[Responder, float] | None:
    """Lock the nearest free unit that serves the matter and was not passed over; None if none."""
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "covering": covering_area_ids(incident),
        "incident": incident.pk,
        "passed_over": [str(state) for state in PASSED_OVER_STATES],
    }
    # Skip the rows other dispatchers hold, widening the window. When every free unit is held at
    # this instant, try again after a short pause (their transactions last milliseconds) rather
    # than wait on the row locks: waiting while holding rows that failed the re-check can
    # deadlock with another waiting dispatcher.
    for pause in RETRY_PAUSES_S:
        if pause:
            time.sleep(pause)
        for window in NEAREST_WINDOWS:
            # The locked row comes back with the unit: no second query for it.
            with connection.cursor() as cursor:
                cursor.execute(_NEAREST_SQL, {**params, "window": window})
                row = cursor.fetchone()
            if row is not None:
                *columns, distance = row
                unit = _loaded(Responder, dict(zip(_UNIT_COLUMNS, columns, strict=True)))
                return unit, float(distance)
        # Nobody free even counting the held rows: waiting would not change that (and a
        # decline would take a third of a second to say "no one free").
        with connection.cursor() as cursor:
            cursor.execute(_NEAREST_SELECT, {**params, "window": NEAREST_WINDOWS[-1]})
            if cursor.fetchone() is None:
                return None
    return None


def _distance_m(unit: Responder, incident: Incident) -> float | None:
    if unit.position is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Distance(%s::geography, %s::geography)",
            [unit.position.ewkt, incident.location.ewkt],
        )
        return float(cursor.fetchone()[0])


def _offer(
    unit: Responder,
    incident: Incident,
    *,
    assigned_by: object | None,
    distance: float | None,
    at: dt.datetime,
    reason: str = "",
    reoffer_of: Assignment | None = None,
) -> Assignment:
    """Offer the matter to the locked ``unit``; a re-offer is the system's step, not a person's.

    The caller has checked that the unit does not have the matter already ("nearest available"
    and re-offers leave such units out of their window; a named unit is checked in assign()).
    """
    unit.load += 1
    unit.status = _unit_status(unit, offered=True)
    data = {"responder": unit.pk, "distance_m": distance}
    if reoffer_of is not None:
        data["reoffer_of"] = reoffer_of.pk
    reason = reason.strip()
    with connection.cursor() as cursor:
        cursor.execute(
            _OFFER_SQL,
            {
                "incident": incident.pk,
                "responder": unit.pk,
                "state": AssignmentState.OFFERED.value,
                "assigned_by": getattr(assigned_by, "pk", None),
                "distance": distance,
                "reason": reason,
                "reoffer_of": getattr(reoffer_of, "pk", None),
                "at": at,
                "load": unit.load,
                "status": str(unit.status),
                "kind": EventKind.ASSIGNMENT.value,
                "step": (DispatchStep.ASSIGN if reoffer_of is None else DispatchStep.REOFFER).value,
                # A re-offer is the system's step: no actor, no note on the trail.
                "actor": getattr(assigned_by, "pk", None) if reoffer_of is None else None,
                "note": reason if reoffer_of is None else "",
                "matter_state": str(incident.state),
                "data": json.dumps(data),
            },
        )
        (assignment_id,) = cursor.fetchone()
    assignment = Assignment(
        pk=assignment_id,
        incident=incident,
        responder=unit,
        assigned_by=assigned_by,
        distance_m=distance,
        override_reason=reason,
        reoffer_of=reoffer_of,
        offered_at=at,
        updated_at=at,
    )
    assignment._state.adding = False  # stored above: a later save() updates the row
    assignment._state.db = connection.alias
    announcements.announce_offer(assignment)
    return assignment


# The offer in one statement: the assignment, the unit's load and status, the trail's event. As
# three ORM saves they took ~2.2 ms of an ~8 ms assignment, two thirds of it building queries and
# models (bench/dispatch.py). The rules hold as before: the check constraint (load <= capacity)
# refuses an over-full unit and the partial unique index a second live offer of the pair; the
# trail is only appended to; the status written is _unit_status's, the one rule for it; the
# columns are written as the models' defaults would (Assignment.updated_at = offered_at).
_OFFER_SQL = """
WITH assignment AS (
    INSERT INTO volunteers_assignment (incident_id, responder_id, state, assigned_by_id,
        distance_m, override_reason, reoffer_of_id, offered_at, updated_at, decline_reason,
        outcome_note)
    VALUES (%(incident)s, %(responder)s, %(state)s, %(assigned_by)s, %(distance)s, %(reason)s,
        %(reoffer_of)s, %(at)s, %(at)s, '', '')
    RETURNING id
), unit AS (
    UPDATE volunteers_responder SET load = %(load)s, status = %(status)s
    WHERE id = %(responder)s
), event AS (
    INSERT INTO incidents_incidentevent (incident_id, actor_id, kind, action, from_state,
        to_state, note, at, data)
    SELECT %(incident)s, %(actor)s, %(kind)s, %(step)s, %(matter_state)s, %(matter_state)s,
        %(note)s, %(at)s, %(data)s::jsonb || jsonb_build_object('assignment', assignment.id)
    FROM assignment
)
SELECT id FROM assignment
"""


def _save_unit(unit: Responder) -> None:
    """Save the locked unit's load and the status that follows from its live assignments."""
    unit.status = _unit_status(unit)
    unit.save(update_fields=["load", "status"])


def _unit_status(unit: Responder, *, offered: bool = False) -> str:
    """The status of the locked unit after a change: the furthest step of its live assignments.

    ``offered``: the change was one new offer. An offer is the least advanced live step, so it
    moves only an idle unit, and the live assignments need not be read (the hot path of assign).
    """
    if offered:
        return ResponderStatus.OFFERED if unit.status == ResponderStatus.AVAILABLE else unit.status
    # Off duty is set by hand; assignments do not change it.
    if unit.status == ResponderStatus.OFF_DUTY:
        return unit.status
    live = set(
        Assignment.objects.filter(responder=unit, state__in=LIVE_ASSIGNMENT_STATES).values_list(
            "state", flat=True
        )
    )
    return next(
        (status for state, status in STATUS_BY_PROGRESS if state in live),
        ResponderStatus.AVAILABLE,
    )


def _record(
    incident: Incident,
    step: str,
    *,
    actor: object | None,
    at: dt.datetime,
    note: str = "",
    to_state: str | None = None,
    data: dict | None = None,
) -> IncidentEvent:
    """Append one dispatch step to the matter's trail (``to_state``: when the step moves it)."""
    return IncidentEvent.objects.create(
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


# --- after the offer: the assignment's steps -----------------------------------------------------


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


def is_member(user: object, unit: Responder) -> bool:
    """Whether ``user`` is one of the accounts that act for the unit."""
    pk = getattr(user, "pk", None)
    return pk is not None and unit.members.filter(pk=pk).exists()


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
    *, assignment_id: int, action: str, actor: object, note: str = ""
) -> Assignment:
    """One step of an assignment: accept, decline, en_route, arrive, done (with the outcome
    note) by a member of the unit, or cancel by a dispatcher of the matter.

    A decline offers the matter to the next nearest free unit in the same transaction (or records
    that no one is free); accepting a routed matter starts its handling (in_progress).
    """
    if action not in ASSIGNMENT_ACTIONS:
        raise DispatchError(_("Unknown action %(action)r.") % {"action": action})
    with transaction.atomic():
        assignment = _lock_assignment(assignment_id, skip_locked=False)
        if assignment is None:
            raise DispatchError(_("No such assignment."))
        reason = _step_refusal(actor, assignment, action)
        if reason is not None:
            raise DispatchError(reason)
        if action == DispatchStep.DONE and not note.strip():
            raise DispatchError(_("Describe the outcome on site to mark the assignment done."))
        now = timezone.now()
        _take_step(assignment, action, actor=actor, note=note, at=now)
        if action == DispatchStep.DECLINE:
            _reoffer(assignment, now)
    return assignment


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
    assignment: Assignment, action: str, *, actor: object | None, note: str, at: dt.datetime
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
    # A unit that takes the matter up is the matter being handled (accepted → in_progress).
    starts = action == DispatchStep.ACCEPT and incident.state == State.ROUTED
    to_state = State.IN_PROGRESS if starts else None
    _record(incident, action, actor=actor, at=at, note=note, to_state=to_state, data=data)
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


def set_duty(*, responder_id: int, on_duty: bool) -> Responder:
    """Take a unit off duty (it gets no new offers; its live assignments go on) or back on duty,
    where its status follows its live assignments again."""
    with transaction.atomic():
        unit = Responder.objects.select_for_update(of=("self",)).get(pk=responder_id)
        if on_duty and unit.status == ResponderStatus.OFF_DUTY:
            unit.status = ResponderStatus.AVAILABLE  # then recomputed from its assignments
        elif not on_duty:
            unit.status = ResponderStatus.OFF_DUTY
        _save_unit(unit)
    return unit


# --- positions from phones -----------------------------------------------------------------------


def post_position(
    *,
    responder_id: int,
    actor: object,
    lon: object,
    lat: object,
    crs: str = "wgs84",
    accuracy_m: object = None,
) -> Responder:
    """A unit's phone reports where it is (WGS84, GCJ-02 or BD-09; stored as WGS84).

    Only the unit's members may post, at most once per DISPATCH_POSITION_MIN_INTERVAL_S; the
    interval is checked against the stored time under the unit's row lock, so two phones of one
    squad posting at once store one position. Nothing is stored on any refusal.
    """
    unit = Responder.objects.filter(pk=responder_id).first()
    if unit is None or not is_member(actor, unit):
        raise NotAMemberError(_("Only the unit's own members can post its position."))
    try:
        point = parse_point(lon, lat, crs)
    except CoordinateError as error:
        raise PositionInputError(error.field, error.message) from None
    far = far_point_message(actor, [(point.lon, point.lat)])
    if far is not None:
        raise PositionInputError("lon", far)
    accuracy = _parse_accuracy(accuracy_m)
    with transaction.atomic():
        unit = Responder.objects.select_for_update(of=("self",)).get(pk=responder_id)
        if not unit.active:
            raise NotAMemberError(
                _("%(unit)s is retired: its position is not taken.") % {"unit": unit}
            )
        now = timezone.now()
        _check_interval(unit, now)
        unit.position = Point(point.lon, point.lat, srid=WGS84)
        unit.position_at = now
        unit.position_accuracy_m = accuracy
        unit.save(update_fields=["position", "position_at", "position_accuracy_m"])
    return unit


def _parse_accuracy(raw: object) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = parse_number(raw, "accuracy_m")
    except CoordinateError as error:
        raise PositionInputError(error.field, error.message) from None
    if value < 0:
        raise PositionInputError("accuracy_m", _("accuracy_m cannot be negative."))
    return value


def _check_interval(unit: Responder, now: dt.datetime) -> None:
    if unit.position_at is None:
        return
    interval = settings.DISPATCH_POSITION_MIN_INTERVAL_S
    wait = interval - (now - unit.position_at).total_seconds()
    if wait > 0:
        retry_after = min(max(math.ceil(wait), 1), interval)
        raise PositionTooSoon(
            _("One position every %(interval)d seconds; try again in %(wait)d s.")
            % {"interval": interval, "wait": retry_after},
            retry_after,
        )
