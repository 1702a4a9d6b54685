"""The candidate list of dispatch: the units that may be sent to a matter, best first, and why.

Split from volunteers.queries (which still exports these names): the KNN window, the ranking by
road ETA or straight line (roads.travel) and the candidates the API and the console show.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils.translation import gettext as _

from gridmap.models import Area
from incidents.models import Category, Incident
from roads.models import RoadNetwork
from roads.queries import active_network
from roads.travel import (
    Eta,
    EtaSource,
    Fallback,
    Traveller,
    best_travel_times,
    straight_line_seconds,
    travel_times,
)
from volunteers.models import WGS84, Responder, stale_before

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

# What a candidate shows of its unit (``base`` is left deferred), of its home area (what the
# list and the phone rule read; the rest deferred), its skills and the road network in use, read
# with the window: loading the list's units and their skills afterwards were two ORM queries, and
# reading the network a third (~4 ms of Python of a ~14 ms request). Each row carries them as one
# JSON text, decoded only for the units that make the list.
_UNIT_FIELDS = tuple(
    f.attname
    for f in Responder._meta.concrete_fields
    if f.attname not in ("id", "home_area_id", "travel_mode", "position", "base")
)
_AREA_FIELDS = ("id", "code", "name", "level", "parent_id")
_NETWORK_FIELDS = ("id", "imported_at", "costs_version", "fastest_kmh")
_CATEGORY_FIELDS = tuple(f.attname for f in Category._meta.concrete_fields)
_ORDERED_SKILLS = ", ".join(f"c.{name}" for name in Category._meta.ordering)

# Nearest first by KNN (<->) on the partial GiST index in degrees; the materialised window is then
# measured in metres on the geography, with what routing needs of each unit (id, metres, home
# area, mode, lon, lat), then as JSON texts what a candidate shows of it (its fields, its home
# area's, its skills' in the categories' order) and the road network in use (null: none).
# Parameters: lon, lat, fresh, category, window.
WINDOW_SQL = f"""
WITH window_ AS MATERIALIZED (
    SELECT r.* {DISPATCHABLE_FROM_WHERE}
    ORDER BY r.position <-> {MATTER_POINT}
    LIMIT %(window)s
)
SELECT w.id, ST_Distance(w.position::geography, {MATTER_POINT}::geography), w.home_area_id,
       w.travel_mode, ST_X(w.position), ST_Y(w.position),
       json_build_array(
           json_build_array({", ".join(f"w.{name}" for name in _UNIT_FIELDS)}),
           json_build_array({", ".join(f"a.{name}" for name in _AREA_FIELDS)}),
           (SELECT json_agg(json_build_array({", ".join(f"c.{n}" for n in _CATEGORY_FIELDS)})
                            ORDER BY {_ORDERED_SKILLS})
            FROM incidents_category c WHERE c.id = ANY(w.skill_ids)))::text,
       (SELECT json_build_array({", ".join(f"n.{name}" for name in _NETWORK_FIELDS)})::text
        FROM roads_roadnetwork n WHERE n.active)
FROM window_ w
JOIN gridmap_area a ON a.id = w.home_area_id
"""
_ROUTING_COLUMNS = 6


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


_ACTIVE = object()  # unit_etas: look the network in use up


def unit_etas(
    lon: float,
    lat: float,
    window: list[tuple[int, float, str, float, float]],
    *,
    limit: int | None = None,
    own: set[int] = frozenset(),
    network: RoadNetwork | object | None = _ACTIVE,
) -> tuple[dict[int, Eta], bool]:
    """The ETA of each unit of a window (id, metres, mode, lon, lat) to the matter at (lon, lat),
    and whether roads are loaded (then ETAs rank the units, else metres as before roads). With
    ``limit`` only the units that can rank among the first ``limit`` (``own``: the ids counted
    DISPATCH_HOME_PREFERENCE_MINUTES sooner) are routed and returned (roads.travel's
    best_travel_times); without roads every unit is returned. ``network``: the one in use (None:
    no roads), when the caller has read it already."""
    if network is _ACTIVE:
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
    with the straight-line ETA.

    One statement reads the window with the units' home areas and skills and the network in use
    (``WINDOW_SQL``); then only the routing's.
    """
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "window": limit * KNN_WINDOW_FACTOR,
    }
    with connection.cursor() as cursor:
        cursor.execute(WINDOW_SQL, params)
        rows = {row[0]: row for row in cursor.fetchall()}
    if not rows:
        return []
    network = _network(next(iter(rows.values())))
    covering = set(covering_area_ids(incident))
    etas, by_road = unit_etas(
        params["lon"],
        params["lat"],
        [(pk, d, mode, x, y) for pk, d, _h, mode, x, y, *_ in rows.values()],
        limit=limit,
        own={pk for pk, _d, home, *_ in rows.values() if home in covering},
        network=network,
    )
    ranked = sorted(
        rank_key(etas[pk], pk, home in covering, by_road)
        for pk, _d, home, *_ in rows.values()
        if pk in etas  # by road, the units that cannot make the list are not routed
    )
    found = []
    for _score, _then, pk, own in ranked[:limit]:
        unit, skills = _unit(rows[pk])
        found.append(make_candidate(unit, etas[pk], own, skills, by_road=by_road))
    return found


def _network(row: tuple) -> RoadNetwork | None:
    """The network in use as the window's row names it (its other fields deferred), or None."""
    if row[-1] is None:
        return None
    values = dict(zip(_NETWORK_FIELDS, json.loads(row[-1]), strict=True))
    values["imported_at"] = dt.datetime.fromisoformat(values["imported_at"])
    return _loaded(RoadNetwork, {**values, "active": True})


def _loaded(model: type, values: dict[str, object]):
    """A ``model`` instance from ``values`` by attribute name, every other field deferred (it
    loads on access); ``Model.from_db`` takes the values in the fields' order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _unit(row: tuple) -> tuple[Responder, list[Category]]:
    """A window's row as the unit with its home area joined, and the unit's skills."""
    pk, _d, home, mode, x, y = row[:_ROUTING_COLUMNS]
    shown, area, skills = json.loads(row[_ROUTING_COLUMNS])
    values = dict(zip(_UNIT_FIELDS, shown, strict=True))
    if values["position_at"] is not None:
        values["position_at"] = dt.datetime.fromisoformat(values["position_at"])
    values.update(id=pk, home_area_id=home, travel_mode=mode, position=Point(x, y, srid=WGS84))
    unit = _loaded(Responder, values)
    home_area = _loaded(Area, dict(zip(_AREA_FIELDS, area, strict=True)))
    Responder.home_area.field.set_cached_value(unit, home_area)
    categories = [
        Category.from_db(connection.alias, _CATEGORY_FIELDS, values) for values in skills or ()
    ]
    return unit, categories


def rank_key(eta: Eta, pk: int, own: bool, by_road: bool) -> tuple[float, float, int, bool]:
    """The sort key of a unit: its score, then the sooner (or, without roads, the nearer)."""
    if by_road:
        return score_minutes(eta.minutes, own), eta.seconds, pk, own
    return score_m(eta.distance_m, own), eta.distance_m, pk, own


def covering_area_ids(incident: Incident) -> list[int]:
    """The areas whose units serve the matter: its grid and the grid's chain stored at intake."""
    chain = (incident.county_id, incident.township_id, incident.village_id, incident.grid_id)
    return [pk for pk in chain if pk is not None]


def covers(responder: Responder, incident: Incident) -> bool:
    """Whether the unit's home area is the matter's grid or one of its ancestors."""
    return responder.home_area_id in covering_area_ids(incident)


def make_candidate(
    unit: Responder, eta: Eta, own: bool, skills: list[Category], *, by_road: bool
) -> Candidate:
    """One row of the candidate list: the unit, its ETA and the reasons the console shows."""
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
