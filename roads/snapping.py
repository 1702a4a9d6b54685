"""Placing points on the road network, shared by dispatch (roads.travel), the console's route
(roads.routes) and reach (roads.isochrones, analytics.coverage).

- **Snapping** (``place``): a point is placed on the nearest edge its travel mode may use, as a
  fraction along that edge. The nearest edge is found by KNN on the edges' GiST index (a few
  nearest in degrees, ``candidates``), then the nearest of those in metres on the geography (ties
  by edge id). The fraction is measured on a local equirectangular scale (longitude times
  cos(latitude)), so it is the foot of the perpendicular in metres, not in degrees. Dispatch
  looks only at the edges meeting a box around the matter and its units; reach leaves
  expressways out (nobody joins one between two interchanges).
- **Cache** (``SNAP_CACHE_SIZE`` places per process): a place depends only on the point, the
  mode, the options and the network's edges and costs, so it is kept, keyed by the network
  version (its id, import time and ``costs_version``, which ``recompute_costs`` raises), the mode
  and the exact coordinates. A unit that moves has new coordinates, hence a new key: its old place
  is never used for the new position (and ages out). A place found inside a box is the answer for
  another box only where both hold the whole disc out to the farthest KNN candidate: then no edge
  outside either box could have been among the candidates. Otherwise the point is placed again.
- **Pieces of pgRouting's "points on edges"** (``points_sql``, ``quote``, ``same_place``) and the
  off-road walk (``walk_seconds``).
"""

from __future__ import annotations

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
# Places kept per process (about 200 bytes each): every unit and recent matter of a county.
SNAP_CACHE_SIZE = 20_000

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


def quote(sql: str) -> str:
    """A literal for a query text made of our own integers, floats and fixed words."""
    return "'" + sql.replace("'", "''") + "'"


# Each point on the nearest edge its mode may use (in its box, if it has one): KNN in degrees on
# the edges' GiST index for a few edges, the nearest in metres of them; the fraction on a local
# metric scale; the walk to the road is measured to that place. ``reach`` is the degree distance
# of the farthest KNN candidate (NULL when fewer were found): the disc the answer depends on.
_PLACE_SQL = f"""
WITH p AS (
    SELECT t.n, t.mode, ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) AS geom,
           ST_MakeEnvelope(t.west, t.south, t.east, t.north, 4326) AS box,
           cos(radians(t.lat)) AS k
    FROM unnest(%(modes)s::text[], %(lons)s::float8[], %(lats)s::float8[], %(wests)s::float8[],
                %(souths)s::float8[], %(easts)s::float8[], %(norths)s::float8[])
         WITH ORDINALITY AS t(mode, lon, lat, west, south, east, north, n)
)
SELECT p.n, s.id, s.fraction, ST_X(s.at), ST_Y(s.at),
       ST_Distance(p.geom::geography, s.at::geography), s.component, s.source_id,
       s.target_id, s.oneway, s.cost, s.reach
FROM p
JOIN LATERAL (
    SELECT e.id, e.source_id, e.target_id, e.oneway, e.cost, n.component, f.fraction,
           CASE WHEN count(*) OVER () >= %(candidates)s THEN max(e.knn) OVER () END AS reach,
           ST_Scale(ST_LineInterpolatePoint(ST_Scale(e.geom, p.k, 1), f.fraction),
                    1 / p.k, 1) AS at
    FROM (
        SELECT e.id, e.geom, e.source_id, e.target_id, e.oneway, e.knn, e.cost,
               ST_Distance(p.geom::geography, e.geom::geography) AS off_m
        FROM (
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
    ) e
    JOIN roads_roadnode n ON n.id = e.source_id
    CROSS JOIN LATERAL (
        SELECT ST_LineLocatePoint(ST_Scale(e.geom, p.k, 1), ST_Scale(p.geom, p.k, 1)) AS fraction
    ) f
    ORDER BY e.off_m, e.id
    LIMIT 1
) s ON true
"""
# The box of a point placed anywhere (no box): the whole WGS84 plane.
_EVERYWHERE: Box = (-180.0, -90.0, 180.0, 90.0)


class _Cache:
    """Places by key, the least recently used dropped first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._places: OrderedDict[tuple, tuple[Snap, float | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[Snap, float | None] | None:
        with self._lock:
            found = self._places.get(key)
            if found is not None:
                self._places.move_to_end(key)
            return found

    def put(self, key: tuple, value: tuple[Snap, float | None]) -> None:
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


def _holds(box: Box, point: Point, reach: float | None) -> bool:
    """Whether ``box`` holds the disc of radius ``reach`` (degrees) around the point."""
    if reach is None:
        return False
    west, south, east, north = box
    return (
        point.lon - reach > west
        and point.lon + reach < east
        and point.lat - reach > south
        and point.lat + reach < north
    )


def place(
    network: RoadNetwork,
    points: Sequence[Point],
    *,
    exclude: Sequence[str] = (),
    candidates: int = SNAP_CANDIDATES,
) -> list[Snap | None]:
    """Each point on the nearest edge its mode may use (within its box, if it has one), or None
    where there is no such edge; one statement for the points not found in the cache."""
    version = (network.pk, network.imported_at, network.costs_version, tuple(exclude), candidates)
    found: list[Snap | None] = [None] * len(points)
    missing: list[int] = []
    for index, point in enumerate(points):
        kept = _cache.get((version, point.mode, point.lon, point.lat))
        if kept is not None and (point.box is None or _holds(point.box, point, kept[1])):
            found[index] = kept[0]
        else:
            missing.append(index)
    if not missing:
        return found
    asked = [points[i] for i in missing]
    boxes = [p.box or _EVERYWHERE for p in asked]
    params = {
        "modes": [str(p.mode) for p in asked],
        "lons": [float(p.lon) for p in asked],
        "lats": [float(p.lat) for p in asked],
        **{
            name: [box[side] for box in boxes]
            for side, name in enumerate(("wests", "souths", "easts", "norths"))
        },
        "network": network.pk,
        "exclude": [str(road_class) for road_class in exclude],
        "candidates": candidates,
    }
    with connection.cursor() as cursor:
        cursor.execute(_PLACE_SQL, params)
        rows = cursor.fetchall()
    for n, edge, fraction, x, y, off_m, component, source, target, oneway, cost, reach in rows:
        point = asked[n - 1]
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
        found[missing[n - 1]] = snap
        # Kept only where the box did not cut the candidates off (see the module's docstring).
        if point.box is None or _holds(point.box, point, reach):
            _cache.put((version, point.mode, point.lon, point.lat), (snap, reach))
    return found


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
