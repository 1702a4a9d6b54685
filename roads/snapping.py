"""Placing points on the road network, shared by dispatch (roads.travel), the console's route
(roads.routes) and reach (roads.isochrones, analytics.coverage).

- **Snapping** (``place``): a point is placed on the nearest edge its travel mode may use, as a
  fraction along that edge. The nearest edge is found by KNN on the edges' GiST index (a few
  nearest in degrees, ``candidates``), then the nearest of those in metres on the geography (ties
  by edge id). The fraction is measured on a local equirectangular scale (longitude times
  cos(latitude)), so it is the foot of the perpendicular in metres, not in degrees. Dispatch
  looks only at the edges meeting a box around the matter and its units; reach leaves
  expressways out (nobody joins one between two interchanges).
- **Cache** (``SNAP_CACHE_SIZE`` points per process): a point's KNN candidates (looked for
  anywhere) depend only on the point, the mode, the options and the network's edges and costs, so
  they are kept, keyed by the network version (its id, import time and ``costs_version``, which
  ``recompute_costs`` raises), the mode and the exact coordinates. A unit that moves has new
  coordinates, hence a new key: its old place is never used for the new position (and ages out).
  For a point with a box, the candidates found anywhere give the answer in the box where they
  can tell (``_in_box``: the box leaves out no nearer edge); otherwise (a point far from every
  road) it is placed again inside its box.
- **Points in pgRouting's graphs**: as "points on edges" (``points_sql`` for ``pgr_withPoints``)
  or as vertices joined by virtual edges (``virtual_edges_sql``); ``quote``, ``same_place``, and
  the off-road walk (``walk_seconds``).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from roads.choices import COST_COLUMN, OFF_ROAD_SPEED_KMH
from roads.models import RoadNetwork

# Edges looked at per point by KNN in degrees before the nearest in metres is taken.
SNAP_CANDIDATES = 4
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)
# pgRouting replaces a point at fraction 0 or 1 by the edge's node and answers for the node's id,
# not the point's: points are kept this far inside their edge (micrometres).
END_MARGIN = 1e-9
# Points kept per process, about 3 KB each with their KNN candidates (~13 MB in all): every unit
# and recent matter of a county, and the grid cells the service circle places.
SNAP_CACHE_SIZE = 4_000

Box = tuple[float, float, float, float]  # west, south, east, north (degrees, WGS84)


@dataclass(frozen=True)
class Snap:
    """A point placed on an edge."""

    edge: int
    fraction: float  # 0 at the edge's source, 1 at its target, on the metric scale
    off_m: float  # from the point to its place on the edge (``at``), on the geography
    at: tuple[float, float]  # that place
    component: int | None
    source: int
    target: int
    oneway: bool
    cost: float  # seconds along the whole edge for the mode (-1: not allowed)


@dataclass(frozen=True)
class Point:
    """A point to place: how it travels, where it is and, for dispatch, the box to look in."""

    mode: str
    lon: float
    lat: float
    box: Box | None = None


def walk_seconds(metres: float) -> float:
    """Seconds on foot off the road (``OFF_ROAD_SPEED_KMH``)."""
    return metres / (OFF_ROAD_SPEED_KMH / 3.6)


def inside(fraction: float) -> float:
    """The fraction kept ``END_MARGIN`` inside its edge."""
    return min(max(fraction, END_MARGIN), 1.0 - END_MARGIN)


def same_place(here: Snap, there: Snap) -> bool:
    """Whether two points sit at the same place on the network (pgRouting gives no row for a
    path from a point to itself)."""
    return here.edge == there.edge and abs(inside(here.fraction) - inside(there.fraction)) < 1e-9


def points_sql(points: dict[int, Snap], *, reverse: bool) -> str:
    """pgRouting's points query as literal VALUES (integers and floats only); on the reversed
    graph a fraction is measured from the other end."""
    values = ", ".join(
        f"({int(pid)}::bigint, {int(s.edge)}::bigint, "
        f"{(1.0 - inside(s.fraction)) if reverse else inside(s.fraction)!r}::float8, 'b'::char)"
        for pid, s in points.items()
    )
    return f"SELECT * FROM (VALUES {values}) AS p(pid, edge_id, fraction, side)"


def virtual_edges_sql(points: dict[int, Snap], *, walking: bool) -> str:
    """The points as vertices of the graph (vertex ``-pid``), for pgRouting's plain functions
    (``pgr_dijkstraCost``): edges query rows (id, source, target, cost, reverse_cost) in the
    real graph's direction that join each point to both ends of its edge, and the points on one
    edge to their neighbours along it, each at its share of the edge's cost (one-way edges stay
    one-way, except on foot). The edge itself stays in the graph: every path costs what it costs
    with the edge split at the points (``pgr_withPointsCost``), without its set-up per call."""
    rows: list[str] = []

    def row(source: int, target: int, share: float, snap: Snap) -> None:
        cost = share * snap.cost
        back = cost if walking or not snap.oneway else -1.0
        rows.append(
            f"({-1 - len(rows)}::bigint, {source}::bigint, {target}::bigint, {cost!r}::float8, "
            f"{back!r}::float8)"
        )

    by_edge: dict[int, list[tuple[float, int, Snap]]] = {}
    for pid, snap in points.items():
        by_edge.setdefault(snap.edge, []).append((inside(snap.fraction), int(pid), snap))
    for on_edge in by_edge.values():
        on_edge.sort()
        for fraction, pid, snap in on_edge:
            row(int(snap.source), -pid, fraction, snap)
            row(-pid, int(snap.target), 1.0 - fraction, snap)
        for (f1, pid1, snap), (f2, pid2, _snap) in itertools.pairwise(on_edge):
            row(-pid1, -pid2, f2 - f1, snap)
    values = ", ".join(rows)
    return f"SELECT * FROM (VALUES {values}) AS v(id, source, target, cost, reverse_cost)"


def quote(sql: str) -> str:
    """A literal for a query text made of our own integers, floats and fixed words."""
    return "'" + sql.replace("'", "''") + "'"


# The KNN candidates of each point: the ``candidates`` edges its mode may use nearest in degrees
# (on the edges' GiST index; in its box, if it has one), each with the point's place on it (the
# fraction on a local metric scale), the walk to that place and to the edge in metres on the
# geography, and the edge's bounding box.
_CANDIDATES_SQL = f"""
WITH p AS (
    SELECT t.n, t.mode, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS geom,
           ST_MakeEnvelope(t.west, t.south, t.east, t.north, 4326) AS box,
           cos(radians(t.lat)) AS k
    FROM unnest(%(modes)s::text[], %(lons)s::float8[], %(lats)s::float8[], %(wests)s::float8[],
                %(souths)s::float8[], %(easts)s::float8[], %(norths)s::float8[])
         WITH ORDINALITY AS t(mode, lon, lat, west, south, east, north, n)
)
SELECT p.n, e.id, f.fraction, ST_X(a.at), ST_Y(a.at),
       ST_Distance(p.geom::geography, a.at::geography),
       ST_Distance(p.geom::geography, e.geom::geography),
       n.component, e.source_id, e.target_id, e.oneway, e.cost,
       ST_XMin(e.geom), ST_YMin(e.geom), ST_XMax(e.geom), ST_YMax(e.geom), e.knn
FROM p
CROSS JOIN LATERAL (
    SELECT e.id, e.geom, e.source_id, e.target_id, e.oneway, e.geom <-> p.geom AS knn,
           CASE p.mode {" ".join(f"WHEN '{m}' THEN e.{c}" for m, c in COST_COLUMN.items())}
           END AS cost
    FROM roads_roadedge e
    WHERE e.network_id = %(network)s
      AND e.geom && p.box
      AND e.road_class <> ALL(%(exclude)s::text[])
      AND (CASE p.mode {" ".join(f"WHEN '{m}' THEN e.{c}" for m, c in COST_COLUMN.items())}
           END) >= 0
    ORDER BY e.geom <-> p.geom
    LIMIT %(candidates)s
) e
JOIN roads_roadnode n ON n.id = e.source_id
CROSS JOIN LATERAL (
    -- (clamped: rounding can put it a hair outside [0, 1] beyond an end)
    SELECT LEAST(1.0, GREATEST(0.0, ST_LineLocatePoint(ST_Scale(e.geom, p.k, 1),
                                                       ST_Scale(p.geom, p.k, 1)))) AS fraction
) f
CROSS JOIN LATERAL (
    SELECT ST_Scale(ST_LineInterpolatePoint(ST_Scale(e.geom, p.k, 1), f.fraction), 1 / p.k, 1)
        AS at
) a
"""
# The box of a point placed anywhere (no box): the whole WGS84 plane.
_EVERYWHERE: Box = (-180.0, -90.0, 180.0, 90.0)


@dataclass(frozen=True)
class _Candidate:
    """One KNN candidate edge of a point: the place there, how far, and the edge's extent."""

    snap: Snap
    edge_m: float  # from the point to the edge, on the geography: the choice among candidates
    extent: Box
    knn: float  # from the point to the edge in degrees: the KNN order


class _Cache:
    """Candidates by key, the least recently used dropped first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._places: OrderedDict[tuple, tuple[_Candidate, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[_Candidate, ...] | None:
        with self._lock:
            found = self._places.get(key)
            if found is not None:
                self._places.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[_Candidate, ...]) -> None:
        with self._lock:
            self._places[key] = value
            self._places.move_to_end(key)
            while len(self._places) > self.size:
                self._places.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._places.clear()


_cache = _Cache(SNAP_CACHE_SIZE)


def clear_cache() -> None:
    """Forget every place kept (the cache never needs it to stay right; for measurements)."""
    _cache.clear()


def _meets(extent: Box, box: Box) -> bool:
    """Whether two boxes meet (as ``&&`` on the edges' bounding boxes)."""
    return (
        extent[0] <= box[2] and extent[2] >= box[0] and extent[1] <= box[3] and extent[3] >= box[1]
    )


def _chosen(candidates: Sequence[_Candidate]) -> Snap | None:
    """The nearest of the candidates in metres (ties by edge id)."""
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.edge_m, c.snap.edge)).snap


def _in_box(
    everywhere: tuple[_Candidate, ...], point: Point, wanted: int
) -> tuple[_Candidate, ...] | None:
    """The candidates that decide a point's place in its box, from its candidates looked for
    anywhere; None where they cannot tell (then the point is placed again inside its box).

    They tell where all of them meet the box (the box leaves out no nearer edge), where there
    were fewer than ``wanted`` anywhere (those that meet the box are all there is), and where one
    that meets the box is nearer in metres than any edge beyond the farthest candidate can be
    (the edges the box's own KNN would add lie farther in degrees than that one)."""
    if point.box is None:
        return everywhere
    inside = tuple(c for c in everywhere if _meets(c.extent, point.box))
    if len(inside) == len(everywhere) or len(everywhere) < wanted:
        return inside
    # A degree in any direction is at least this many metres around the point (the shortest
    # degree of latitude, longitude shrinking polewards), with a margin for the spheroid.
    metres_per_degree = 110_574.0 * math.cos(math.radians(min(89.0, abs(point.lat) + 1.0)))
    beyond_m = max(c.knn for c in everywhere) * metres_per_degree * 0.98
    if inside and min(c.edge_m for c in inside) < beyond_m:
        return inside
    return None


def _query(
    network: RoadNetwork,
    points: Sequence[Point],
    boxes: Sequence[Box],
    exclude: Sequence[str],
    candidates: int,
) -> list[tuple[_Candidate, ...]]:
    """The KNN candidates of each point in its box (one statement)."""
    params = {
        "modes": [str(p.mode) for p in points],
        "lons": [float(p.lon) for p in points],
        "lats": [float(p.lat) for p in points],
        **{
            name: [box[side] for box in boxes]
            for side, name in enumerate(("wests", "souths", "easts", "norths"))
        },
        "network": network.pk,
        "exclude": [str(road_class) for road_class in exclude],
        "candidates": candidates,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        rows = cursor.fetchall()
    found: list[list[_Candidate]] = [[] for _ in points]
    for row in rows:
        n, edge, fraction, x, y, off_m, edge_m, component, source, target, oneway, cost = row[:12]
        snap = Snap(
            edge=edge,
            fraction=float(fraction),
            off_m=float(off_m),
            at=(float(x), float(y)),
            component=component,
            source=source,
            target=target,
            oneway=bool(oneway),
            cost=float(cost),
        )
        extent = (float(row[12]), float(row[13]), float(row[14]), float(row[15]))
        found[n - 1].append(_Candidate(snap, float(edge_m), extent, float(row[16])))
    return [tuple(c) for c in found]


def place(
    network: RoadNetwork,
    points: Sequence[Point],
    *,
    exclude: Sequence[str] = (),
    candidates: int = SNAP_CANDIDATES,
) -> list[Snap | None]:
    """Each point on the nearest edge its mode may use (within its box, if it has one), or None
    where there is no such edge. One statement for the points not in the cache; a second, for
    the few whose box leaves out some of their candidates (a point far from every road)."""
    version = (network.pk, network.imported_at, network.costs_version, tuple(exclude), candidates)
    keys = [(version, p.mode, p.lon, p.lat) for p in points]
    everywhere: list[tuple[_Candidate, ...] | None] = [_cache.get(key) for key in keys]
    missing = [i for i, kept in enumerate(everywhere) if kept is None]
    if missing:
        asked = [points[i] for i in missing]
        for index, found in zip(
            missing,
            _query(network, asked, [_EVERYWHERE] * len(asked), exclude, candidates),
            strict=True,
        ):
            everywhere[index] = found
            _cache.put(keys[index], found)
    chosen: list[Snap | None] = [None] * len(points)
    boxed: list[int] = []
    for index, point in enumerate(points):
        known = _in_box(everywhere[index] or (), point, candidates)
        if known is None:
            boxed.append(index)
        else:
            chosen[index] = _chosen(known)
    if boxed:
        asked = [points[i] for i in boxed]
        found = _query(network, asked, [p.box or _EVERYWHERE for p in asked], exclude, candidates)
        for index, in_box in zip(boxed, found, strict=True):
            chosen[index] = _chosen(in_box)
    return chosen


def box_around(
    points: Sequence[tuple[float, float]], margin_m: float, *, share: float = 0.0
) -> Box:
    """(west, south, east, north) around ``points`` (lon, lat; the first sets the scale),
    widened by ``margin_m`` or by ``share`` of the box's longer side if that is more."""
    lons = [lon for lon, _lat in points]
    lats = [lat for _lon, lat in points]
    cos_lat = math.cos(math.radians(points[0][1]))
    width_m = (max(lons) - min(lons)) * METRES_PER_DEGREE * cos_lat
    height_m = (max(lats) - min(lats)) * METRES_PER_DEGREE
    margin = max(margin_m, share * max(width_m, height_m))
    d_lat = margin / METRES_PER_DEGREE
    d_lon = margin / (METRES_PER_DEGREE * cos_lat)
    return (min(lons) - d_lon, min(lats) - d_lat, max(lons) + d_lon, max(lats) + d_lat)
