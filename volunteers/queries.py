"""Read paths of dispatch: stale positions and the nearest suitable, free candidates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from gridmap.models import AREA_SHAPE_FIELDS
from gridmap.scoping import user_area
from incidents.models import HandlingUnit, Incident
from incidents.queries import visible_incidents
from incidents.services import ACTS_FOR_UNIT_SQL, acts_for_unit_params
from roads.routes import Route, route
from roads.travel import Traveller
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState
from volunteers.models import Assignment, Responder, stale_before

# The candidate list lives in volunteers.ranking; its names are kept importable from here.
from volunteers.ranking import (  # noqa: F401
    DISPATCHABLE_FROM_WHERE,
    KNN_WINDOW_FACTOR,
    MATTER_POINT,
    WINDOW_SQL,
    Candidate,
    candidates,
    covering_area_ids,
    covers,
    score_m,
    score_minutes,
    unit_etas,
)


def overdue_offers(now: dt.datetime) -> QuerySet[Assignment]:
    """Offers nobody answered within DISPATCH_OFFER_TIMEOUT_MINUTES, oldest first."""
    cutoff = now - dt.timedelta(minutes=settings.DISPATCH_OFFER_TIMEOUT_MINUTES)
    return Assignment.objects.filter(
        state=AssignmentState.OFFERED, offered_at__lte=cutoff
    ).order_by("offered_at", "pk")


# The most candidates one request may ask for (the API's ``limit``).
MAX_CANDIDATES = 50

# A unit whose way to a matter its dispatcher may see: one the candidate list could show (in the
# KNN window of the largest list, so a unit's position elsewhere in the county is not revealed)
# or one with a live assignment on the matter. Parameters: lon, lat, fresh, category, window,
# incident, unit, live.
_ROUTABLE_UNIT_SQL = f"""
SELECT w.id FROM (SELECT r.id {DISPATCHABLE_FROM_WHERE}
                  ORDER BY r.position <-> {MATTER_POINT} LIMIT %(window)s) w
WHERE w.id = %(unit)s
UNION
SELECT r.id FROM volunteers_responder r JOIN volunteers_assignment a ON a.responder_id = r.id
WHERE r.id = %(unit)s AND r.position IS NOT NULL
  AND a.incident_id = %(incident)s AND a.state = ANY(%(live)s)
"""


def routable_unit(
    incident: Incident, responder_id: int, *, now: dt.datetime | None = None
) -> Responder | None:
    """The unit ``responder_id`` if the matter's dispatcher may see its way to the matter: it may
    be sent there now (available, fresh, under capacity, with the skill) and is among the units
    the largest candidate list ranks, or it has a live assignment on the matter; else None."""
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "window": MAX_CANDIDATES * KNN_WINDOW_FACTOR,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "incident": incident.pk,
        "unit": responder_id,
        "live": [str(state) for state in LIVE_ASSIGNMENT_STATES],
    }
    with connection.cursor() as cursor:
        cursor.execute(_ROUTABLE_UNIT_SQL, params)
        if cursor.fetchone() is None:
            return None
    return Responder.objects.only("id", "name", "position", "travel_mode").get(pk=responder_id)


def unit_route(incident: Incident, unit: Responder) -> Route:
    """The unit's way to the matter for the console's map (roads.routes.route)."""
    matter = (incident.location.x, incident.location.y)
    lon, lat = unit.position.x, unit.position.y
    return route(matter, Traveller(unit.pk, lon, lat, unit.travel_mode))


# The dispatch API's matter in one statement: its row and whether the user acts for its handling
# unit. Through visible_incident_by_pk and dispatches_for it was two ORM queries and ~3 ms of a
# ~17 ms answer, mostly building them (bench/dispatch.py).
_DISPATCHED_INCIDENT_SQL = f"""
SELECT i.*, {ACTS_FOR_UNIT_SQL} AS acts_for_unit
FROM incidents_incident i
WHERE i.id = %(incident)s
"""


def incident_dispatched_by(user: object, pk: int) -> Incident | None:
    """The matter ``pk`` if ``user``, who has a jurisdiction, acts for its handling unit; else
    None (also for no such matter). The caller checks the role.

    Acting for the unit means seeing the matter: ``visibility_q`` lets through the unit's members
    and the staff whose area holds the unit, for every user with a jurisdiction, so the
    visibility rule need not be read again (tests/volunteers/test_access.py holds the two
    answers equal).
    """
    if user_area(user) is None:
        return None
    params = {"incident": pk, **acts_for_unit_params(user)}
    incident = next(iter(Incident.objects.raw(_DISPATCHED_INCIDENT_SQL, params)), None)
    return incident if incident is not None and incident.acts_for_unit else None


# --- lists of the dispatch pages and API ---------------------------------------------------------


def _without_shapes(queryset: QuerySet, path: str) -> QuerySet:
    """``queryset`` not loading the shapes of the home area joined at ``path``."""
    return queryset.defer(*(f"{path}__{name}" for name in AREA_SHAPE_FIELDS))


def responders_with_home() -> QuerySet[Responder]:
    """Responders with their home area joined (its code and name, not its shapes)."""
    return _without_shapes(Responder.objects.select_related("home_area"), "home_area")


def dispatch_queue(user: object, states: tuple[str, ...]) -> QuerySet[Incident]:
    """Matters in ``states`` that ``user`` dispatches for (their units', or under their area's
    centers), the ones without a live assignment first, then the soonest due; each annotated
    with ``live_count`` and ``assignment_count``."""
    area = user_area(user)
    if area is None:
        return Incident.objects.none()
    acts = Q(handling_unit__area__code__startswith=area.code_prefix) | Q(
        handling_unit__in=HandlingUnit.objects.filter(members=user).values("pk")
    )
    live = Q(assignments__state__in=LIVE_ASSIGNMENT_STATES)
    return (
        visible_incidents(user)
        .filter(acts, state__in=states)
        .annotate(
            live_count=Count("assignments", filter=live),
            assignment_count=Count("assignments"),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(state__in=LIVE_ASSIGNMENT_STATES).select_related(
                    "responder"
                ),
                to_attr="live_assignments",
            )
        )
        .order_by("live_count", "due_at", "id")
    )


def joined_assignments() -> QuerySet[Assignment]:
    """Assignments with their matter and unit joined, as the pages and API show them."""
    joined = Assignment.objects.select_related(
        "incident__category",
        "incident__handling_unit__area",
        "responder__home_area",
        "assigned_by",
    )
    joined = _without_shapes(joined, "incident__handling_unit__area")
    return _without_shapes(joined, "responder__home_area")


def incident_assignments(incident_id: int) -> QuerySet[Assignment]:
    """Every assignment of a matter, newest first (no query per row)."""
    return joined_assignments().filter(incident_id=incident_id)


# How many finished assignments "my assignments" lists after the live ones.
MY_FINISHED_LIMIT = 20


def my_assignments(user: object) -> tuple[list[Assignment], list[Assignment]]:
    """The assignments of the units ``user`` acts for: the live ones (oldest offer first), then
    the last MY_FINISHED_LIMIT finished ones (latest first)."""
    if not getattr(user, "is_authenticated", False):
        return [], []
    units = Responder.objects.filter(members=user).values("pk")
    joined = joined_assignments().filter(responder__in=units)
    live = joined.filter(state__in=LIVE_ASSIGNMENT_STATES).order_by("offered_at", "id")
    finished = joined.exclude(state__in=LIVE_ASSIGNMENT_STATES).order_by("-finished_at", "-id")
    return list(live), list(finished[:MY_FINISHED_LIMIT])
