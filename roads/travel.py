"""Travel times on the road network: many units to one matter, and one unit's route.

Method (docs/roads.md, "Travel times in dispatch"):

- **Snapping**: every point (the matter, each unit) is placed on its nearest edge that its travel
  mode may use, as a fraction along that edge (pgRouting's "points on edges",
  ``pgr_withPointsCost``), not on the edge's nearer node. A point snapped to a node would have to
  drive to that node even when the matter lies the other way along the same road; with fractions
  the graph is split at the point and both directions are open (one-way edges stay one-way), and
  a unit on the matter's own edge drives the stretch between them only. The nearest edge is found
  by KNN on the edges' GiST index (four nearest in degrees, then the nearest in metres).
  Fractions are measured on a local equirectangular scale (longitude times cos(latitude)), so
  they split the edge where the foot of the perpendicular is in metres.
- **Off-road legs**: from a point to its place on the edge, and from the matter's place on its
  edge to the matter, on foot at ``OFF_ROAD_SPEED_KMH``, measured on the geography.
- **One query per mode**: the units of one mode are routed in one ``pgr_withPointsCost`` call
  from the matter over the *reversed* graph (source and target swapped, fractions mirrored), so
  one Dijkstra search answers "unit → matter" for all of them and vehicles honour one-way streets
  in the direction they drive: towards the matter. The modes present share one statement.
- **Neighbourhood**: each mode's search reads the edges meeting a box around the matter and that
  mode's units plus a margin (``BOX_MARGIN_M``, at least ``BOX_MARGIN_SHARE`` of the box's
  longer side): pgRouting's time grows with the edges it reads (about 4 µs an edge here). A unit
  the search does not reach in its box is tried once more with ``WIDE_FACTOR`` times the margin
  (a bridge far up the river).
- **Fallback**: a unit that cannot be routed gets the straight-line ETA (its distance at the
  mode's ``STRAIGHT_LINE_SPEED_KMH``), labelled ``straight_line`` with why: no road network, no
  road of its mode near it or the matter, or not connected by road.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import connection
from django.db import models as db_models
from django.utils.translation import gettext_lazy as _

from roads.choices import COST_COLUMN, OFF_ROAD_SPEED_KMH, STRAIGHT_LINE_SPEED_KMH, TravelMode
from roads.models import RoadNetwork
from roads.queries import active_network, edges_sql

# The box read around the matter and its units: this margin, and at least this share of the
# box's longer side (roads wind out of the straight box between two points).
BOX_MARGIN_M = 1500.0
BOX_MARGIN_SHARE = 0.25
# Units not reached in the box are routed once more in a box this many times the margin.
WIDE_FACTOR = 4.0
# Edges looked at per point by KNN in degrees before the nearest in metres is taken.
SNAP_CANDIDATES = 4
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)
# pgRouting replaces a point at fraction 0 or 1 by the edge's node and answers for the node's id,
# not the point's: points are kept this far inside their edge (micrometres).
END_MARGIN = 1e-9
MATTER_PID = 1


class EtaSource(db_models.TextChoices):
    """Where an ETA comes from."""

    ROAD = "road", _("by road")
    STRAIGHT_LINE = "straight_line", _("straight line")


class Fallback(db_models.TextChoices):
    """Why a unit got the straight-line ETA."""

    NO_NETWORK = "no_network", _("no road network loaded")
    NO_ROAD = "no_road", _("no road of its travel mode nearby")
    NOT_CONNECTED = "not_connected", _("not connected by road")


@dataclass(frozen=True)
class Traveller:
    """A unit to route: its key (the responder id), where it is and how it moves."""

    key: int
    lon: float
    lat: float
    mode: str
    distance_m: float | None = None  # straight line to the matter, when the caller has it


@dataclass(frozen=True)
class Eta:
    """How long a unit takes to reach the matter, and how that was worked out."""

    seconds: float
    source: str  # EtaSource
    distance_m: float  # straight line
    fallback: str = ""  # Fallback, for a straight-line ETA
    off_road_m: float = 0.0  # both walking legs, for a road ETA

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


def straight_line_seconds(distance_m: float, mode: str) -> float:
    """Today's ETA without roads: the straight line at the mode's straight-line speed."""
    return distance_m / 1000.0 / STRAIGHT_LINE_SPEED_KMH[TravelMode(mode)] * 3600.0


def travel_times(
    matter: tuple[float, float],
    units: Sequence[Traveller],
    *,
    network: RoadNetwork | None = None,
) -> dict[int, Eta]:
    """The ETA of every unit to the matter at (lon, lat), by road where it can be routed.

    Two statements for any number of units and modes (snap, then route), plus one for the units
    the first box did not reach. ``network`` defaults to the active one; with none every ETA is
    the straight line.
    """
    if not units:
        return {}
    distances = _straight_distances(matter, units)
    network = network if network is not None else active_network()
    if network is None:
        return {u.key: _straight(u, distances[u.key], Fallback.NO_NETWORK) for u in units}
    etas = _route_in_box(network, matter, units, distances, BOX_MARGIN_M)
    missing = [u for u in units if u.key not in etas]
    if missing:
        margin = BOX_MARGIN_M * WIDE_FACTOR
        etas.update(_route_in_box(network, matter, missing, distances, margin, final=True))
    return etas


def best_travel_times(
    matter: tuple[float, float],
    units: Sequence[Traveller],
    *,
    limit: int,
    bonus_s: dict[int, float] | None = None,
    network: RoadNetwork | None = None,
) -> dict[int, Eta]:
    """The ETAs of the units that can rank among the first ``limit`` by ETA less their bonus
    (seconds; the own-area preference); the others are left out, unrouted.

    Exact, not a heuristic: no road ETA is shorter than the straight line at the fastest speed
    the unit's mode has anywhere (the speed table; off the road everybody walks slower), so a
    unit whose bound is above the ``limit``-th best score found cannot enter the list. The
    units with the lowest bounds are routed first, then only those whose bound is below the
    score to beat: on a sparse window the far units' wide boxes are never read.
    """
    network = network if network is not None else active_network()
    if network is None or len(units) <= limit:
        return travel_times(matter, units, network=network)
    bonus = bonus_s or {}
    distances = _straight_distances(matter, units)
    fastest = _fastest_speeds_ms()
    bound = {
        u.key: distances[u.key] / fastest.get(str(u.mode), 1.0) - bonus.get(u.key, 0.0)
        for u in units
    }
    order = sorted(units, key=lambda u: (bound[u.key], u.key))
    known = [replace(u, distance_m=distances[u.key]) for u in order]
    etas = travel_times(matter, known[:limit], network=network)
    scores = sorted(eta.seconds - bonus.get(key, 0.0) for key, eta in etas.items())
    to_beat = scores[limit - 1] if len(scores) >= limit else math.inf
    rest = [u for u in known[limit:] if bound[u.key] <= to_beat]
    if rest:
        etas.update(travel_times(matter, rest, network=network))
    return etas


def _fastest_speeds_ms() -> dict[str, float]:
    """The fastest speed (m/s) of each mode on any road class or off the road."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT mode, max(kmh) FROM roads_roadspeed WHERE kmh > 0 GROUP BY mode")
        fastest = {mode: kmh for mode, kmh in cursor.fetchall()}
    return {
        str(mode): max(fastest.get(str(mode)) or 0.0, OFF_ROAD_SPEED_KMH) / 3.6
        for mode in TravelMode
    }


# --- helpers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snap:
    """A point placed on an edge."""

    edge: int
    fraction: float
    off_m: float  # from the point to its place on the edge
    at: tuple[float, float]  # that place
    component: int | None


def _walk_seconds(metres: float) -> float:
    return metres / (OFF_ROAD_SPEED_KMH / 3.6)


def _straight(unit: Traveller, distance: float, why: str) -> Eta:
    seconds = straight_line_seconds(distance, unit.mode)
    return Eta(seconds, EtaSource.STRAIGHT_LINE, distance, fallback=why)


_DISTANCES_SQL = """
SELECT t.key, ST_Distance(ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)::geography,
                          ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)
FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS t(key, lon, lat)
"""


def _straight_distances(
    matter: tuple[float, float], units: Sequence[Traveller]
) -> dict[int, float]:
    known = {u.key: float(u.distance_m) for u in units if u.distance_m is not None}
    unknown = [u for u in units if u.distance_m is None]
    if unknown:
        columns = ([u.key for u in unknown], [u.lon for u in unknown], [u.lat for u in unknown])
        with connection.cursor() as cursor:
            cursor.execute(_DISTANCES_SQL, [*matter, *columns])
            known.update((key, float(metres)) for key, metres in cursor.fetchall())
    return known


def _box(
    matter: tuple[float, float], units: Iterable[Traveller], margin_m: float
) -> tuple[float, float, float, float]:
    """(west, south, east, north) around the matter and the units, widened by the margin."""
    lons = [matter[0], *(u.lon for u in units)]
    lats = [matter[1], *(u.lat for u in units)]
    cos_lat = math.cos(math.radians(matter[1]))
    width_m = (max(lons) - min(lons)) * METRES_PER_DEGREE * cos_lat
    height_m = (max(lats) - min(lats)) * METRES_PER_DEGREE
    margin = max(margin_m, BOX_MARGIN_SHARE * max(width_m, height_m))
    d_lat = margin / METRES_PER_DEGREE
    d_lon = margin / (METRES_PER_DEGREE * cos_lat)
    return (min(lons) - d_lon, min(lats) - d_lat, max(lons) + d_lon, max(lats) + d_lat)


# Each point of a mode on the nearest edge that mode may use, inside the box: KNN in degrees on
# the edges' GiST index for a few edges, the nearest in metres of them; the fraction on a local
# metric scale (x times cos(latitude)) so it is the foot of the perpendicular in metres.
_SNAP_SQL = f"""
WITH p AS (
    SELECT t.pid, t.mode, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS geom,
           ST_MakeEnvelope(t.west, t.south, t.east, t.north, 4326) AS box
    FROM unnest(%(pids)s::bigint[], %(modes)s::text[], %(lons)s::float8[], %(lats)s::float8[],
                %(wests)s::float8[], %(souths)s::float8[], %(easts)s::float8[],
                %(norths)s::float8[]) AS t(pid, mode, lon, lat, west, south, east, north)
)
SELECT p.pid, p.mode, s.id, s.fraction, ST_X(s.at), ST_Y(s.at),
       ST_Distance(p.geom::geography, s.at::geography), s.component
FROM p
JOIN LATERAL (
    SELECT e.id, n.component, f.fraction,
           ST_Scale(ST_LineInterpolatePoint(ST_Scale(e.geom, %(k)s, 1), f.fraction),
                    1 / %(k)s, 1) AS at
    FROM (
        SELECT e.id, e.geom, e.source_id FROM roads_roadedge e
        WHERE e.network_id = %(network)s
          AND e.geom && p.box
          AND (CASE p.mode {" ".join(f"WHEN '{m}' THEN e.{c}" for m, c in COST_COLUMN.items())}
               END) >= 0
        ORDER BY e.geom <-> p.geom
        LIMIT {SNAP_CANDIDATES}
    ) e
    JOIN roads_roadnode n ON n.id = e.source_id
    CROSS JOIN LATERAL (
        SELECT ST_LineLocatePoint(ST_Scale(e.geom, %(k)s, 1), ST_Scale(p.geom, %(k)s, 1))
            AS fraction
    ) f
    ORDER BY ST_Distance(p.geom::geography, e.geom::geography)
    LIMIT 1
) s ON true
"""


def _snap(
    network: RoadNetwork,
    matter: tuple[float, float],
    units: Sequence[Traveller],
    boxes: dict[str, tuple[float, float, float, float]],
) -> dict[tuple[int, str], _Snap]:
    """The places on the network of the matter (once per mode present) and of each unit, by
    (pid, mode): the matter is ``MATTER_PID``, the n-th unit ``_pid(n)``; each on the edges of
    its mode's box."""
    modes = sorted({u.mode for u in units})
    rows = [(MATTER_PID, mode, *matter) for mode in modes]
    rows += [(_pid(index), u.mode, u.lon, u.lat) for index, u in enumerate(units)]
    params = {
        "pids": [r[0] for r in rows],
        "modes": [str(r[1]) for r in rows],
        "lons": [r[2] for r in rows],
        "lats": [r[3] for r in rows],
        **{
            name: [boxes[r[1]][side] for r in rows]
            for side, name in enumerate(("wests", "souths", "easts", "norths"))
        },
        "k": math.cos(math.radians(matter[1])),
        "network": network.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SNAP_SQL, params)
        found = cursor.fetchall()
    return {
        (pid, mode): _Snap(edge, _inside(fraction), off_m, (x, y), component)
        for pid, mode, edge, fraction, x, y, off_m, component in found
    }


def _inside(fraction: float) -> float:
    return min(max(fraction, END_MARGIN), 1.0 - END_MARGIN)


def _pid(index: int) -> int:
    """The point id of the ``index``-th unit of a call (the matter's is MATTER_PID)."""
    return MATTER_PID + 1 + index


def _points_sql(points: dict[int, _Snap], *, reverse: bool) -> str:
    """pgRouting's points query as literal VALUES (integers and floats only); on the reversed
    graph a fraction is measured from the other end."""
    values = ", ".join(
        f"({int(pid)}::bigint, {int(s.edge)}::bigint, "
        f"{(1.0 - s.fraction) if reverse else s.fraction!r}::float8, 'b'::char)"
        for pid, s in points.items()
    )
    return f"SELECT * FROM (VALUES {values}) AS p(pid, edge_id, fraction, side)"


def _reversed(sql: str) -> str:
    """The edges query with every edge turned round: a search from the matter over it gives each
    unit's time to the matter on the real graph."""
    return f"SELECT id, target AS source, source AS target, cost, reverse_cost FROM ({sql}) e"


def _route_in_box(
    network: RoadNetwork,
    matter: tuple[float, float],
    units: Sequence[Traveller],
    distances: dict[int, float],
    margin_m: float,
    *,
    final: bool = False,
) -> dict[int, Eta]:
    """ETAs of the units routed inside their mode's box with ``margin_m``; a unit not reached
    is left out (``final``: it gets the straight line, as does every unit that cannot be routed
    at all)."""
    boxes = {
        mode: _box(matter, [u for u in units if u.mode == mode], margin_m)
        for mode in {u.mode for u in units}
    }
    snaps = _snap(network, matter, units, boxes)
    etas: dict[int, Eta] = {}
    calls: list[str] = []
    routed: dict[int, tuple[Traveller, float, bool]] = {}  # pid: unit, off-road metres, same place
    for mode in sorted({u.mode for u in units}):
        there = snaps.get((MATTER_PID, mode))
        points: dict[int, _Snap] = {}
        for pid, unit in ((_pid(i), u) for i, u in enumerate(units) if u.mode == mode):
            here = snaps.get((pid, mode))
            why = _unroutable(here, there)
            if why:
                etas[unit.key] = _straight(unit, distances[unit.key], why)
            else:
                routed[pid] = (unit, here.off_m + there.off_m, _same_place(here, there))
                points[pid] = here
        if points:
            calls.append(_costs_sql(network, mode, boxes[mode], there, points))
    reached: dict[int, float] = {}
    if calls:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(calls))
            reached = {int(pid): float(cost) for pid, cost in cursor.fetchall()}
    for pid, (unit, leg, same_place) in routed.items():
        cost = 0.0 if same_place else reached.get(pid)
        if cost is not None:
            etas[unit.key] = Eta(
                seconds=cost + _walk_seconds(leg),
                source=EtaSource.ROAD,
                distance_m=distances[unit.key],
                off_road_m=leg,
            )
        elif final:
            etas[unit.key] = _straight(unit, distances[unit.key], Fallback.NOT_CONNECTED)
    return etas


def _unroutable(here: _Snap | None, there: _Snap | None) -> str:
    """Why a unit placed at ``here`` cannot be routed to the matter at ``there``; "" if it can."""
    if here is None or there is None:
        return Fallback.NO_ROAD
    if here.component != there.component:
        return Fallback.NOT_CONNECTED
    return ""


def _costs_sql(
    network: RoadNetwork,
    mode: str,
    box: tuple[float, float, float, float],
    there: _Snap,
    points: dict[int, _Snap],
) -> str:
    """One mode's search: from the matter over the reversed graph to the units' points."""
    sql = _points_sql({MATTER_PID: there, **points}, reverse=True)
    ends = ", ".join(str(-pid) for pid in points)
    return (
        f"SELECT -end_pid AS pid, agg_cost "
        f"FROM pgr_withPointsCost({_quote(_reversed(edges_sql(network.pk, mode, box)))}, "
        f"{_quote(sql)}, {-MATTER_PID}, ARRAY[{ends}]::bigint[], "
        "directed => true, driving_side => 'b')"
    )


def _same_place(here: _Snap, there: _Snap) -> bool:
    """Whether a unit sits where the matter does on the network (pgRouting gives no row for a
    path from a point to itself)."""
    return here.edge == there.edge and abs(here.fraction - there.fraction) < 1e-9


def _quote(sql: str) -> str:
    """A literal for a query text made of our own integers, floats and fixed words."""
    return "'" + sql.replace("'", "''") + "'"
