"""Write paths of dispatch: assigning a responder to a matter, safely under concurrency.

Capacity is guarded twice: the responder row is locked while its load is checked and raised, and
a check constraint (load <= capacity) refuses any write that would exceed it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from incidents.choices import EventKind, State
from incidents.models import Incident, IncidentEvent
from incidents.services import WorkflowError, acts_for
from volunteers.choices import LIVE_ASSIGNMENT_STATES, ResponderStatus
from volunteers.models import Assignment, Responder, stale_before
from volunteers.queries import (
    DISPATCHABLE_FROM_WHERE,
    MATTER_POINT,
    covers,
)

DISPATCH_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}
ASSIGNABLE_STATES = (State.ROUTED, State.IN_PROGRESS)
# "Nearest available": KNN windows tried in turn when every unit in the smaller one is locked.
NEAREST_WINDOWS = (8, 32, 128)
# Pauses before each round of windows (seconds): the first round does not wait.
RETRY_PAUSES_S = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16)


class DispatchError(WorkflowError):
    """An assignment the rules do not allow (HTTP 409); the message says why."""


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
    of another jurisdiction is refused with the reason.
    """
    with transaction.atomic():
        incident = _lock_incident(incident_id, actor)
        if responder_id is None:
            unit, distance = _lock_nearest(incident)
        else:
            unit = (
                Responder.objects.select_for_update(of=("self",))
                .select_related("home_area")
                .filter(pk=responder_id)
                .first()
            )
            if unit is None:
                raise DispatchError(_("No such responder."))
            _check_named(unit, incident, override_reason)
            distance = _distance_m(unit, incident)
        return Dispatched(_offer(unit, incident, actor, distance, override_reason), distance)


def _lock_incident(incident_id: int, actor: object) -> Incident:
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("grid", "handling_unit__area", "category")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise DispatchError(_("No such matter."))
    if getattr(actor, "role", None) not in DISPATCH_ROLES or not acts_for(
        actor, incident.handling_unit
    ):
        raise DispatchError(
            _("Only dispatchers of %(unit)s can assign.") % {"unit": incident.handling_unit}
        )
    if incident.state not in ASSIGNABLE_STATES:
        raise DispatchError(
            _("A matter that is %(state)s cannot be assigned (route it first).")
            % {"state": State(incident.state).label}
        )
    return incident


def _check_named(unit: Responder, incident: Incident, override_reason: str) -> None:
    if not unit.active or unit.status == ResponderStatus.OFF_DUTY:
        raise DispatchError(_("%(unit)s is off duty.") % {"unit": unit})
    if unit.load >= unit.capacity:
        raise DispatchError(
            _("%(unit)s is busy (%(load)d of %(capacity)d assignments).")
            % {"unit": unit, "load": unit.load, "capacity": unit.capacity}
        )
    if not unit.skills.filter(pk=incident.category_id).exists():
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


# The dispatch lock (REFERENCE.md): ORDER BY <-> … FOR UPDATE fails on this stack ("attempted to
# lock invisible tuple"), so the KNN window is materialised first and the joined rows are locked,
# skipping those another dispatcher holds.
_NEAREST_SQL = (
    MATTER_POINT
    + ", c AS MATERIALIZED (SELECT r.id, r.position <-> pt.geom AS d"
    + DISPATCHABLE_FROM_WHERE
    + """      AND %(grid_code)s LIKE (
          SELECT left(a.code, CASE a.level WHEN 'county' THEN 6 WHEN 'township' THEN 9
                                           WHEN 'village' THEN 12 ELSE 15 END)
          FROM gridmap_area a WHERE a.id = r.home_area_id) || '%%'
    ORDER BY r.position <-> pt.geom
    LIMIT %(window)s
)
SELECT r.id, ST_Distance(r.position::geography, pt.geom::geography)
FROM volunteers_responder r JOIN c USING (id), pt
WHERE r.load < r.capacity AND r.status <> 'off_duty'
ORDER BY c.d
LIMIT 1
FOR UPDATE OF r SKIP LOCKED
"""
)


def _lock_nearest(incident: Incident) -> tuple[Responder, float]:
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(),
        "category": incident.category_id,
        "grid_code": incident.grid.code,
    }
    # Skip the rows other dispatchers hold, widening the window. When every free unit is held at
    # this instant, try again after a short pause (their transactions last milliseconds) rather
    # than wait on the row locks: waiting while holding rows that failed the re-check can
    # deadlock with another waiting dispatcher.
    with connection.cursor() as cursor:
        for pause in RETRY_PAUSES_S:
            time.sleep(pause)
            for window in NEAREST_WINDOWS:
                cursor.execute(_NEAREST_SQL, {**params, "window": window})
                row = cursor.fetchone()
                if row is not None:
                    return Responder.objects.get(pk=row[0]), float(row[1])
    raise DispatchError(_("No suitable responder is free near this matter."))


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
    unit: Responder, incident: Incident, actor: object, distance: float | None, reason: str
) -> Assignment:
    live = Assignment.objects.filter(
        incident=incident, responder=unit, state__in=LIVE_ASSIGNMENT_STATES
    )
    if live.exists():
        raise DispatchError(_("%(unit)s is already assigned to this matter.") % {"unit": unit})
    unit.load += 1
    unit.status = ResponderStatus.OFFERED
    unit.save(update_fields=["load", "status"])
    assignment = Assignment.objects.create(
        incident=incident,
        responder=unit,
        assigned_by=actor,
        distance_m=distance,
        override_reason=reason.strip(),
    )
    IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=EventKind.ASSIGNMENT,
        action="assign",
        from_state=incident.state,
        to_state=incident.state,
        at=timezone.now(),
        note=reason.strip(),
        data={"responder": unit.pk, "assignment": assignment.pk, "distance_m": distance},
    )
    return assignment
