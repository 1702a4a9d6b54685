"""Read paths of dispatch: stale positions and the nearest suitable, free candidates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gridmap.models import AREA_SHAPE_FIELDS
from gridmap.scoping import user_area
from incidents.models import Category, HandlingUnit, Incident
from incidents.queries import visible_incidents
from incidents.services import ACTS_FOR_UNIT_SQL, acts_for_unit_params
from volunteers.choices import LIVE_ASSIGNMENT_STATES, TRAVEL_SPEED_KMH, AssignmentState
from volunteers.models import Assignment, Responder, stale_before


def overdue_offers(now: dt.datetime) -> QuerySet[Assignment]:
    """Offers nobody answered within DISPATCH_OFFER_TIMEOUT_MINUTES, oldest first."""
    cutoff = now - dt.timedelta(minutes=settings.DISPATCH_OFFER_TIMEOUT_MINUTES)
    return Assignment.objects.filter(
        state=AssignmentState.OFFERED, offered_at__lte=cutoff
    ).order_by("offered_at", "pk")


# How many units KNN fetches per wanted candidate before metres and preferences decide.
KNN_WINDOW_FACTOR = 4


@dataclass(frozen=True)
class Candidate:
    """A unit that may be sent, where it ranks and why."""

    responder: Responder
    distance_m: float
    eta_min: float
    in_jurisdiction: bool
    score_m: float
    reasons: list[str] = field(default_factory=list)
    skills: list[Category] = field(default_factory=list)  # in the categories' order


# The units that may be sent to a matter at (lon, lat) of a category: active, on duty, under
# capacity, with a fresh position and the skill. Shared by the candidate list and "nearest
# available" (which adds its jurisdiction test); the skill test reads the row's copy of its skills
# (Responder.skill_ids), so the KNN index scan stays ordered and joins nothing. Parameters: lon,
# lat, fresh, category.
DISPATCHABLE_FROM_WHERE = """
    FROM volunteers_responder r
    WHERE r.active AND r.status <> 'off_duty' AND r.load < r.capacity
      AND r.position IS NOT NULL AND r.position_at >= %(fresh)s
      AND %(category)s = ANY(r.skill_ids)
"""
# The matter's point, written into ORDER BY itself: only a constant operand of <-> lets the GiST
# index hand rows over nearest first (a point joined in from a CTE makes it measure every unit
# with the skill and sort: 34 ms instead of 1.5 ms among 100,000 units, bench/dispatch.py).
MATTER_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"

# Nearest first by KNN (<->) on the partial GiST index in degrees; the materialised window is then
# measured in metres on the geography.
_CANDIDATES_SQL = f"""
WITH window_ AS MATERIALIZED (SELECT r.id, r.position, r.home_area_id {DISPATCHABLE_FROM_WHERE}
    ORDER BY r.position <-> {MATTER_POINT}
    LIMIT %(window)s
)
SELECT w.id, ST_Distance(w.position::geography, {MATTER_POINT}::geography), w.home_area_id
FROM window_ w
"""


def score_m(distance_m: float, in_jurisdiction: bool) -> float:
    """The rank of a unit: metres away, less DISPATCH_HOME_PREFERENCE_M for the matter's own
    jurisdiction. The one place to change the rule (road distances will replace the metres)."""
    bonus = settings.DISPATCH_HOME_PREFERENCE_M if in_jurisdiction else 0.0
    return max(distance_m - bonus, 0.0)


def candidates(incident: Incident, *, limit: int = 5, now: dt.datetime | None = None) -> list:
    """The top ``limit`` units for a matter: available, fresh, under capacity, with the skill.

    Ranked by ``score_m``: distance in metres, a unit whose home area covers the matter counting
    as DISPATCH_HOME_PREFERENCE_M closer (the documented preference for the matter's own
    jurisdiction when distances are close). The window is ranked on plain rows; only the units
    that make the list are loaded, with their home area and skills.

    The skills come from the units' copy of their ids (``Responder.skill_ids``) and one query on
    the categories: prefetching the many-to-many took ~2.2 ms of a ~4.7 ms call (bench/dispatch.py).
    """
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "window": limit * KNN_WINDOW_FACTOR,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        window = cursor.fetchall()
    covering = set(covering_area_ids(incident))
    ranked = sorted(
        (score_m(distance, home in covering), distance, pk) for pk, distance, home in window
    )[:limit]
    units = responders_with_home().order_by().in_bulk([pk for *_, pk in ranked])
    skill_ids = {pk for unit in units.values() for pk in unit.skill_ids}
    skills = list(Category.objects.filter(pk__in=skill_ids)) if skill_ids else []
    found = []
    for score, distance, pk in ranked:
        unit = units[pk]
        own = [category for category in skills if category.pk in unit.skill_ids]
        found.append(_candidate(unit, distance, score, covering, own))
    return found


def covering_area_ids(incident: Incident) -> list[int]:
    """The areas whose units serve the matter: its grid and the grid's chain stored at intake."""
    chain = (incident.county_id, incident.township_id, incident.village_id, incident.grid_id)
    return [pk for pk in chain if pk is not None]


def covers(responder: Responder, incident: Incident) -> bool:
    """Whether the unit's home area is the matter's grid or one of its ancestors."""
    return responder.home_area_id in covering_area_ids(incident)


def _candidate(
    unit: Responder, distance_m: float, score: float, covering: set[int], skills: list[Category]
) -> Candidate:
    own = unit.home_area_id in covering
    eta = distance_m / 1000 / TRAVEL_SPEED_KMH[unit.travel_mode] * 60
    reasons = [
        _("%(metres)s m away") % {"metres": f"{distance_m:,.0f}"},
        _("about %(minutes).0f min (%(mode)s)")
        % {"minutes": eta, "mode": unit.get_travel_mode_display()},
        _("%(load)d of %(capacity)d assignments") % {"load": unit.load, "capacity": unit.capacity},
    ]
    if own:
        reasons.append(
            _("serves %(area)s: ranked as %(bonus).0f m closer")
            % {"area": unit.home_area.name, "bonus": settings.DISPATCH_HOME_PREFERENCE_M}
        )
    return Candidate(unit, distance_m, eta, own, score, reasons, skills)


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
