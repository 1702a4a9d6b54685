"""Assigning: offering a matter to a named unit or to the nearest available one.

Capacity is guarded twice: the responder row is locked while its load is checked and changed,
and a check constraint (load <= capacity) refuses any write that would exceed it. The lock order
is the one of every service here (volunteers.services).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import DispatchStep, EventKind, State
from incidents.models import Incident
from incidents.services import ACTS_FOR_UNIT_SQL, acts_for_unit_params
from notify.prepared import execute_prepared
from roads.queries import HAS_ACTIVE_NETWORK_SQL, active_network
from volunteers import announcements
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState, ResponderStatus
from volunteers.models import WGS84, Assignment, Responder, stale_before
from volunteers.queries import (
    DISPATCHABLE_FROM_WHERE,
    MATTER_POINT,
    covering_area_ids,
    covers,
    responders_with_home,
    unit_etas,
)
from volunteers.services.rules import ASSIGNABLE_STATES, DispatchError, has_dispatch_role
from volunteers.services.units import _unit_status

M = TypeVar("M", bound=Model)

# "Nearest available": KNN windows tried in turn when every unit in the smaller one is locked.
NEAREST_WINDOWS = (8, 32, 128)
# Pauses before each round of windows (seconds): the first round does not wait.
RETRY_PAUSES_S = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16)
# "Nearest available" passes over units that have the matter or turned it down; a dispatcher can
# still name such a unit. It sends only idle units (status available): a unit with a free place but
# on its way to another matter is not "free" to the dispatcher who clicks the button (issue 20).
PASSED_OVER_STATES = (*LIVE_ASSIGNMENT_STATES, AssignmentState.DECLINED, AssignmentState.EXPIRED)


@dataclass(frozen=True)
class Dispatched:
    assignment: Assignment
    distance_m: float | None


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
        incident, by_road = _lock_incident(incident_id, actor)
        now = timezone.now()
        if responder_id is None:
            found = _lock_nearest(incident, now, by_road=by_road)
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
# read is loaded, the point as its coordinates; and whether roads are loaded ("nearest" by road
# or in a straight line), which was an ORM query of its own. Prepared on the server
# (notify.prepared): it runs in every assignment.
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
       ST_X(i.location), ST_Y(i.location), {ACTS_FOR_UNIT_SQL}, {HAS_ACTIVE_NETWORK_SQL}
FROM incidents_incident i
WHERE i.id = %(incident)s
FOR UPDATE OF i
"""


def _lock_incident(incident_id: int, actor: object) -> tuple[Incident, bool]:
    """The matter, locked, and whether a road network is loaded; refused unless ``actor`` may
    dispatch it now."""
    params = {"incident": incident_id, **acts_for_unit_params(actor)}
    row = execute_prepared(_LOCK_MATTER_SQL, params).fetchone()
    if row is None:
        raise DispatchError(_("No such matter."))
    *columns, lon, lat, may_dispatch, by_road = row
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
    return incident, by_road


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
_NEAREST_WINDOW = f"""
WITH c AS MATERIALIZED (SELECT r.id, r.position <-> {MATTER_POINT} AS d {DISPATCHABLE_FROM_WHERE}
      AND r.status = 'available' AND r.home_area_id = ANY(%(covering)s)
      AND NOT EXISTS (SELECT 1 FROM volunteers_assignment x
                      WHERE x.incident_id = %(incident)s AND x.responder_id = r.id
                        AND x.state = ANY(%(passed_over)s))
    ORDER BY r.position <-> {MATTER_POINT}
    LIMIT %(window)s
)
"""
_UNIT_DISTANCE = f"""{", ".join(f"r.{column}" for column in _UNIT_COLUMNS)},
       ST_Distance(r.position::geography, {MATTER_POINT}::geography)"""
_NEAREST_SELECT = f"""{_NEAREST_WINDOW}
SELECT {_UNIT_DISTANCE}
FROM volunteers_responder r JOIN c USING (id)
WHERE r.load < r.capacity AND r.status = 'available'
ORDER BY c.d
LIMIT 1
"""
_NEAREST_SQL = _NEAREST_SELECT + "FOR UPDATE OF r SKIP LOCKED"
# With roads: the free units of the window with what routing needs, read without locks; then the
# first of them by ETA that nobody holds is locked (and re-checked) in that order.
_WINDOW_BY_ETA_SQL = f"""{_NEAREST_WINDOW}
SELECT r.id, ST_Distance(r.position::geography, {MATTER_POINT}::geography), r.travel_mode,
       ST_X(r.position), ST_Y(r.position)
FROM volunteers_responder r JOIN c USING (id)
WHERE r.load < r.capacity AND r.status = 'available'
"""
_FIRST_BY_ETA_SQL = f"""
SELECT {_UNIT_DISTANCE}
FROM volunteers_responder r
WHERE r.id = ANY(%(ranked)s::bigint[]) AND r.load < r.capacity AND r.status = 'available'
ORDER BY array_position(%(ranked)s::bigint[], r.id)
LIMIT 1
FOR UPDATE OF r SKIP LOCKED
"""


def _lock_nearest(
    incident: Incident, now: dt.datetime, *, by_road: bool | None = None
) -> tuple[Responder, float] | None:
    """Lock the nearest free unit that serves the matter and was not passed over; None if none.
    Nearest is the soonest by road where a road network is loaded (among the KNN window), else
    the nearest in a straight line. ``by_road``: whether a network is loaded, when the caller
    has read it already."""
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "covering": covering_area_ids(incident),
        "incident": incident.pk,
        "passed_over": [str(state) for state in PASSED_OVER_STATES],
    }
    if by_road is None:
        by_road = active_network() is not None
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
                if by_road:
                    ranked = _ranked_by_eta({**params, "window": window})
                    cursor.execute(_FIRST_BY_ETA_SQL, {**params, "ranked": ranked})
                else:
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


def _ranked_by_eta(params: dict[str, object]) -> list[int]:
    """The free units of the window, soonest at the matter first (ETA by road, ties by id)."""
    with connection.cursor() as cursor:
        cursor.execute(_WINDOW_BY_ETA_SQL, params)
        window = cursor.fetchall()
    etas, _by_road = unit_etas(params["lon"], params["lat"], window)
    return sorted(etas, key=lambda pk: (etas[pk].seconds, pk))


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
    row = execute_prepared(
        _OFFER_SQL,
        {
            **announcements.offer_audience_params(incident, unit),
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
    ).fetchone()
    assignment_id, *audience = row
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
    announcements.announce_offer(assignment, tuple(audience))
    return assignment


# The offer in one statement: the assignment, the unit's load and status, the trail's event. As
# three ORM saves they took ~2.2 ms of an ~8 ms assignment, two thirds of it building queries and
# models (bench/dispatch.py). The rules hold as before: the check constraint (load <= capacity)
# refuses an over-full unit and the partial unique index a second live offer of the pair; the
# trail is only appended to; the status written is _unit_status's, the one rule for it; the
# columns are written as the models' defaults would (Assignment.updated_at = offered_at). The
# statement also reads who must hear of the offer (announcements.OFFER_AUDIENCE_COLUMNS), and is
# prepared on the server (notify.prepared): it runs in every assignment.
_OFFER_SQL = f"""
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
SELECT assignment.id, {announcements.OFFER_AUDIENCE_COLUMNS}
FROM assignment, {announcements.OFFER_AUDIENCE_FROM}
WHERE i.id = %(incident)s
"""
