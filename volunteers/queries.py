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
from roads.queries import active_network
from roads.routes import Route, route
from roads.travel import (
    Eta,
    EtaSource,
    Fallback,
    Traveller,
    best_travel_times,
    straight_line_seconds,
    travel_times,
)
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState
from volunteers.models import Assignment, Responder, stale_before


def overdue_offers(now: dt.datetime) -> QuerySet[Assignment]:
    """Offers nobody answered within DISPATCH_OFFER_TIMEOUT_MINUTES, oldest first."""
    cutoff = now - dt.timedelta(minutes=settings.DISPATCH_OFFER_TIMEOUT_MINUTES)
    return Assignment.objects.filter(
        state=AssignmentState.OFFERED, offered_at__lte=cutoff
    ).order_by("offered_at", "pk")


# How many units KNN fetches per wanted candidate before travel times and preferences decide.
KNN_WINDOW_FACTOR = 4


@dataclass(frozen=True)
class Candidate:
    """A unit that may be sent, where it ranks and why."""

    responder: Responder
    distance_m: float  # straight line
    eta_minutes: float
    eta_source: str  # roads.travel.EtaSource: by road, or the straight line
    in_jurisdiction: bool
    score_m: float  # the rank without roads
    score_minutes: float  # the rank with roads
    reasons: list[str] = field(default_factory=list)
    skills: list[Category] = field(default_factory=list)  # in the categories' order

    @property
    def eta_source_label(self) -> str:
        return str(EtaSource(self.eta_source).label)

    @property
    def eta_min(self) -> float:
        """The ETA's earlier name (API field ``eta_min``)."""
        return self.eta_minutes


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
# measured in metres on the geography, with what routing needs of each unit.
_CANDIDATES_SQL = f"""
WITH window_ AS MATERIALIZED (
    SELECT r.id, r.position, r.home_area_id, r.travel_mode {DISPATCHABLE_FROM_WHERE}
    ORDER BY r.position <-> {MATTER_POINT}
    LIMIT %(window)s
)
SELECT w.id, ST_Distance(w.position::geography, {MATTER_POINT}::geography), w.home_area_id,
       w.travel_mode, ST_X(w.position), ST_Y(w.position)
FROM window_ w
"""


def score_m(distance_m: float, in_jurisdiction: bool) -> float:
    """The rank of a unit where no roads are loaded: metres away, less DISPATCH_HOME_PREFERENCE_M
    for the matter's own jurisdiction."""
    bonus = settings.DISPATCH_HOME_PREFERENCE_M if in_jurisdiction else 0.0
    return max(distance_m - bonus, 0.0)


def score_minutes(eta_minutes: float, in_jurisdiction: bool) -> float:
    """The rank of a unit on the road network: minutes to the matter, less
    DISPATCH_HOME_PREFERENCE_MINUTES for the matter's own jurisdiction (the metres' preference
    turned into time: 500 m is 2.5 min at the e-bike's straight-line 12 km/h)."""
    bonus = settings.DISPATCH_HOME_PREFERENCE_MINUTES if in_jurisdiction else 0.0
    return max(eta_minutes - bonus, 0.0)


def unit_etas(
    lon: float,
    lat: float,
    window: list[tuple[int, float, str, float, float]],
    *,
    limit: int | None = None,
    own: set[int] = frozenset(),
) -> tuple[dict[int, Eta], bool]:
    """The ETA of each unit of a window (id, metres, mode, lon, lat) to the matter at (lon, lat),
    and whether roads are loaded (then ETAs rank the units, else metres as before roads). With
    ``limit`` only the units that can rank among the first ``limit`` (``own``: the ids counted
    DISPATCH_HOME_PREFERENCE_MINUTES sooner) are routed and returned (roads.travel's
    best_travel_times); without roads every unit is returned."""
    network = active_network()
    if network is None:
        return {
            pk: Eta(
                straight_line_seconds(metres, mode),
                EtaSource.STRAIGHT_LINE,
                metres,
                fallback=Fallback.NO_NETWORK,
            )
            for pk, metres, mode, _x, _y in window
        }, False
    units = [Traveller(pk, x, y, mode, metres) for pk, metres, mode, x, y in window]
    if limit is None:
        return travel_times((lon, lat), units, network=network), True
    bonus = {pk: settings.DISPATCH_HOME_PREFERENCE_MINUTES * 60.0 for pk in own}
    found = best_travel_times((lon, lat), units, limit=limit, bonus_s=bonus, network=network)
    return found, True


def candidates(incident: Incident, *, limit: int = 5, now: dt.datetime | None = None) -> list:
    """The top ``limit`` units for a matter: available, fresh, under capacity, with the skill.

    The KNN window (``KNN_WINDOW_FACTOR`` × ``limit`` nearest in a straight line) is ranked by
    ``score_minutes`` — each unit's ETA by road for its own travel mode (roads.travel), a unit
    whose home area covers the matter counting DISPATCH_HOME_PREFERENCE_MINUTES sooner — where a
    road network is loaded; without one by ``score_m``, metres less DISPATCH_HOME_PREFERENCE_M,
    with the straight-line ETA. Only the units that make the list are loaded, with their home
    area and skills.

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
    etas, by_road = unit_etas(
        params["lon"],
        params["lat"],
        [(pk, d, mode, x, y) for pk, d, _h, mode, x, y in window],
        limit=limit,
        own={pk for pk, _d, home, *_ in window if home in covering},
    )
    ranked = sorted(
        _rank(etas[pk], pk, home in covering, by_road)
        for pk, _d, home, *_ in window
        if pk in etas  # by road, the units that cannot make the list are not routed
    )
    ranked = ranked[:limit]
    units = responders_with_home().order_by().in_bulk([pk for _r, _s, pk, _o in ranked])
    skill_ids = {pk for unit in units.values() for pk in unit.skill_ids}
    skills = list(Category.objects.filter(pk__in=skill_ids)) if skill_ids else []
    found = []
    for _score, _then, pk, own in ranked:
        unit = units[pk]
        unit_skills = [category for category in skills if category.pk in unit.skill_ids]
        found.append(_candidate(unit, etas[pk], own, unit_skills, by_road=by_road))
    return found


def _rank(eta: Eta, pk: int, own: bool, by_road: bool) -> tuple[float, float, int, bool]:
    """The sort key of a unit: its score, then the sooner (or, without roads, the nearer)."""
    if by_road:
        return score_minutes(eta.minutes, own), eta.seconds, pk, own
    return score_m(eta.distance_m, own), eta.distance_m, pk, own


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


def covering_area_ids(incident: Incident) -> list[int]:
    """The areas whose units serve the matter: its grid and the grid's chain stored at intake."""
    chain = (incident.county_id, incident.township_id, incident.village_id, incident.grid_id)
    return [pk for pk in chain if pk is not None]


def covers(responder: Responder, incident: Incident) -> bool:
    """Whether the unit's home area is the matter's grid or one of its ancestors."""
    return responder.home_area_id in covering_area_ids(incident)


def _candidate(
    unit: Responder, eta: Eta, own: bool, skills: list[Category], *, by_road: bool
) -> Candidate:
    mode = unit.get_travel_mode_display()
    minutes = {"minutes": eta.minutes, "mode": mode}
    reasons = [_("%(metres)s m away") % {"metres": f"{eta.distance_m:,.0f}"}]
    if eta.source == EtaSource.ROAD:
        reasons.append(_("about %(minutes).0f min by road (%(mode)s)") % minutes)
    else:
        reasons.append(_("about %(minutes).0f min, straight line (%(mode)s)") % minutes)
        if eta.fallback != Fallback.NO_NETWORK:
            reasons.append(_("no route by road: %(why)s") % {"why": Fallback(eta.fallback).label})
    reasons.append(
        _("%(load)d of %(capacity)d assignments") % {"load": unit.load, "capacity": unit.capacity}
    )
    if own and by_road:
        reasons.append(
            _("serves %(area)s: ranked as %(bonus)s min sooner")
            % {
                "area": unit.home_area.name,
                "bonus": f"{settings.DISPATCH_HOME_PREFERENCE_MINUTES:g}",
            }
        )
    elif own:
        reasons.append(
            _("serves %(area)s: ranked as %(bonus).0f m closer")
            % {"area": unit.home_area.name, "bonus": settings.DISPATCH_HOME_PREFERENCE_M}
        )
    return Candidate(
        responder=unit,
        distance_m=eta.distance_m,
        eta_minutes=eta.minutes,
        eta_source=eta.source,
        in_jurisdiction=own,
        score_m=score_m(eta.distance_m, own),
        score_minutes=score_minutes(eta.minutes, own),
        reasons=reasons,
        skills=skills,
    )


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
