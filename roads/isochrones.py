"""Reach on the road network: where one can get from a point (or a set of points) in a time.

The building blocks shared by the isochrone API and the service circle (analytics.coverage):

- **Snapping** (``snap``, on roads/snapping.py's ``place``): a point joins the network at the
  nearest point of the nearest edge its mode may use (expressways are left out: nobody joins one
  between two interchanges). The leg from the point to the road is walked at
  ``OFF_ROAD_SPEED_KMH``.
- **Driving distance** (``node_costs``): the snapped points become virtual vertices with one
  virtual edge to each end of their edge (off-road seconds + the part of the edge to that end, in
  the directions the mode may use it), then one ``pgr_drivingDistance`` call up to the largest
  time. With ``per_origin=False`` the origins share one virtual vertex (a "super source"), so the
  cost of a node is the time from the nearest origin; with ``per_origin=True`` each origin gets
  its own tree in the same call. ``inbound=True`` reverses the graph: the time *to* the origins
  (residents travelling to a service point), which differs from the time *from* them on one-way
  roads.
- **Isochrones** (``isochrones``): the cost tree up to the largest cut-off is bucketed per
  cut-off: an edge is reached from an end whose cost is below the cut-off, as far along as the
  time left allows (``ST_LineSubstring``), plus the snapped point's own edge both ways from it.
  The reached road parts are buffered by ``ISOCHRONE_BUFFER_M`` in the local UTM zone and
  unioned: a polygon of the land within a short walk of a road one can reach in time. Roads are
  the only way across the Loess gullies, so this follows the terrain where a concave hull of the
  reached nodes would bridge the gullies. Each cut-off's polygon is whole (the 10-minute polygon
  contains the 5-minute one).

Every SQL text built here holds only integers and floats formatted by Python, never a user's
string; user values travel as query parameters.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from roads.choices import COST_COLUMN, OFF_ROAD_SPEED_KMH, RoadClass, TravelMode
from roads.models import RoadNetwork, RoadSpeed
from roads.queries import edges_sql
from roads.snapping import Point, place

# Half-width of the band around reached roads that an isochrone polygon covers (metres): a short
# walk from the road to a door, and wide enough that a polygon reads on the county map.
ISOCHRONE_BUFFER_M = 120.0
# Largest cut-off the API accepts (minutes).
MAX_MINUTES = 60
# Virtual vertices and edges of snapped points: below every real id (bigserial ids start at 1).
_VIRTUAL_BASE = -1_000_000
# Snapping looks this far (metres) for a road; a point farther from every road reaches nothing.
SNAP_MAX_M = 5_000.0
# Edges looked at per point by KNN in degrees before the nearest in metres is taken.
REACH_SNAP_CANDIDATES = 8


@dataclass(frozen=True)
class Snap:
    """Where a point joins the network: its edge, the fraction along it and the walk to it."""

    edge_id: int
    source: int
    target: int
    fraction: float  # 0 at the edge's source, 1 at its target
    off_road_s: float  # seconds on foot from the point to the road
    cost: float  # seconds along the whole edge source → target for the mode (-1: not allowed)
    reverse_cost: float  # seconds target → source (-1: not allowed)


@dataclass(frozen=True)
class Isochrone:
    """The area reachable within ``minutes``: GeoJSON geometry (None where nothing is reached)."""

    minutes: int
    mode: str
    geometry: dict | None
    area_km2: float


def utm_srid(lon: float, lat: float) -> int:
    """The WGS84 UTM zone around a point: metres for buffers and areas anywhere in China."""
    zone = min(60, max(1, math.floor((lon + 180) / 6) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def _mode_costs(mode: str) -> tuple[str, str]:
    """The SQL expressions of an edge's cost and reverse cost for ``mode`` (alias ``e``)."""
    column = COST_COLUMN[TravelMode(mode)]
    reverse = (
        f"e.{column}"
        if mode == TravelMode.WALK
        else f"CASE WHEN e.oneway THEN -1 ELSE e.{column} END"
    )
    return f"e.{column}", reverse


def snap(
    network: RoadNetwork, mode: str, points: Sequence[tuple[float, float]]
) -> list[Snap | None]:
    """For each (lon, lat), where it joins the network for ``mode`` (None: no road near):
    roads.snapping's place, expressways left out, at most ``SNAP_MAX_M`` from the point."""
    placed = place(
        network,
        [Point(mode, float(lon), float(lat)) for lon, lat in points],
        exclude=[RoadClass.EXPRESSWAY.value],
        candidates=REACH_SNAP_CANDIDATES,
    )
    walk_ms = OFF_ROAD_SPEED_KMH / 3.6
    snaps: list[Snap | None] = []
    for found in placed:
        if found is None or found.off_m > SNAP_MAX_M:
            snaps.append(None)
            continue
        # Pedestrians walk one-way roads both ways (as in roads.queries.edges_sql).
        one_way = found.oneway and mode != TravelMode.WALK
        snaps.append(
            Snap(
                edge_id=found.edge,
                source=found.source,
                target=found.target,
                fraction=found.fraction,
                off_road_s=found.off_m / walk_ms,
                cost=found.cost,
                reverse_cost=-1.0 if one_way else found.cost,
            )
        )
    return snaps


def max_speed_ms(mode: str) -> float:
    """The fastest speed (m/s) of ``mode`` on any road class, for the search box."""
    kmh = (
        RoadSpeed.objects.filter(mode=mode, kmh__gt=0)
        .order_by("-kmh")
        .values_list("kmh", flat=True)
        .first()
    )
    return max(float(kmh or 0), OFF_ROAD_SPEED_KMH) / 3.6


def reach_bbox(
    points: Sequence[tuple[float, float]], seconds: float, mode: str
) -> tuple[float, float, float, float]:
    """A box around ``points`` that holds everything reachable in ``seconds``: the edges read."""
    metres = seconds * max_speed_ms(mode) + 1_000
    lats = [lat for _lon, lat in points]
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(0.2, math.cos(math.radians(max(abs(v) for v in lats)))))
    return (
        min(lon for lon, _lat in points) - dlon,
        min(lats) - dlat,
        max(lon for lon, _lat in points) + dlon,
        max(lats) + dlat,
    )


def _virtual_edges(snaps: Sequence[Snap], *, per_origin: bool, inbound: bool) -> tuple[str, list]:
    """SQL rows of the virtual edges of ``snaps`` and the virtual vertex of each snap."""
    rows: list[str] = []
    vertices: list[int] = []
    for index, s in enumerate(snaps):
        vertex = _VIRTUAL_BASE - (index if per_origin else 0)
        vertices.append(vertex)
        # (forward along the edge, backward): inbound swaps them (the reversed graph).
        forward, backward = (s.reverse_cost, s.cost) if inbound else (s.cost, s.reverse_cost)
        to_target = s.off_road_s + (1 - s.fraction) * forward if forward >= 0 else -1.0
        to_source = s.off_road_s + s.fraction * backward if backward >= 0 else -1.0
        edge = _VIRTUAL_BASE - 2 * index
        rows.append(f"SELECT {edge}, {vertex}, {s.source}, {to_source!r}::float8, -1::float8")
        rows.append(f"SELECT {edge - 1}, {vertex}, {s.target}, {to_target!r}::float8, -1::float8")
    return " UNION ALL ".join(rows), vertices


def graph_sql(
    network: RoadNetwork,
    mode: str,
    snaps: Sequence[Snap],
    *,
    bbox: tuple[float, float, float, float] | None,
    per_origin: bool = False,
    inbound: bool = False,
) -> tuple[str, list[int]]:
    """The edges SQL for pgRouting with the snapped points' virtual edges, and their vertices."""
    base = edges_sql(network.pk, mode, bbox)
    if inbound:
        base = (
            f"SELECT id, source, target, reverse_cost AS cost, cost AS reverse_cost FROM ({base}) g"
        )
    virtual, vertices = _virtual_edges(snaps, per_origin=per_origin, inbound=inbound)
    return f"{base} UNION ALL {virtual}", vertices


def node_costs(
    network: RoadNetwork,
    mode: str,
    snaps: Sequence[Snap],
    seconds: float,
    *,
    per_origin: bool = False,
    inbound: bool = False,
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[int, dict[int, float]]:
    """Seconds from the origins to every node reached within ``seconds`` (one pgRouting call).

    Returns {origin index: {node id: seconds}}; without ``per_origin`` one entry (index 0) with
    the time from the nearest origin. Virtual vertices are left out.
    """
    if not snaps:
        return {}
    sql, vertices = graph_sql(
        network, mode, snaps, bbox=bbox, per_origin=per_origin, inbound=inbound
    )
    starts = sorted(set(vertices))
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT * FROM pgr_drivingDistance(%s, %s::bigint[], %s::float8, directed => true,
                                                 equicost => false)""",
            [sql, starts, float(seconds)],
        )
        # The start column is from_v before pgRouting 3.6, start_vid from 3.6 on.
        names = [column.name for column in cursor.description]
        start_at = names.index("start_vid" if "start_vid" in names else "from_v")
        node_at, cost_at = names.index("node"), names.index("agg_cost")
        result: dict[int, dict[int, float]] = {}
        index_of = {vertex: i for i, vertex in enumerate(vertices)}
        for row in cursor.fetchall():
            node = row[node_at]
            if node <= 0:
                continue  # a virtual vertex
            key = index_of[row[start_at]] if per_origin else 0
            result.setdefault(key, {})[node] = row[cost_at]
    return result


# The isochrone polygons from the cost tree, one row per cut-off, in one statement: the reached
# part of each edge from each end, the snapped point's own edge, buffered in metres and unioned.
_ISOCHRONE_SQL = """
WITH dd AS (
    SELECT node, agg_cost FROM pgr_drivingDistance(%(graph)s, %(start)s::bigint, %(seconds)s,
                                                   directed => true)
    WHERE node > 0
),
budget AS (SELECT unnest(%(budgets)s::float8[]) AS b),
e AS (
    SELECT e.id, e.geom, {cost} AS c, {reverse} AS r, s.agg_cost AS a_s, t.agg_cost AS a_t
    FROM roads_roadedge e
    LEFT JOIN dd s ON s.node = e.source_id
    LEFT JOIN dd t ON t.node = e.target_id
    WHERE e.network_id = %(network)s AND (s.node IS NOT NULL OR t.node IS NOT NULL)
),
parts AS (
    SELECT budget.b, ST_LineSubstring(e.geom, 0,
               CASE WHEN e.c > 0 THEN LEAST(1, (budget.b - e.a_s) / e.c) ELSE 1 END) AS g
    FROM e, budget WHERE e.a_s < budget.b AND e.c >= 0
    UNION ALL
    SELECT budget.b, ST_LineSubstring(e.geom,
               CASE WHEN e.r > 0 THEN GREATEST(0, 1 - (budget.b - e.a_t) / e.r) ELSE 0 END, 1)
    FROM e, budget WHERE e.a_t < budget.b AND e.r >= 0
    UNION ALL
    -- the snapped point's own edge, both ways from the point as far as the time left allows
    SELECT budget.b, ST_LineSubstring(e.geom, %(f)s,
               CASE WHEN {cost} > 0 THEN LEAST(1, %(f)s + (budget.b - %(off)s) / {cost}) ELSE 1 END)
    FROM roads_roadedge e, budget WHERE e.id = %(edge)s AND budget.b > %(off)s AND {cost} >= 0
    UNION ALL
    SELECT budget.b, ST_LineSubstring(e.geom,
               CASE WHEN {reverse} > 0 THEN GREATEST(0, %(f)s - (budget.b - %(off)s) / {reverse})
                    ELSE 0 END, %(f)s)
    FROM roads_roadedge e, budget WHERE e.id = %(edge)s AND budget.b > %(off)s AND {reverse} >= 0
    UNION ALL
    -- the walk from the point to the road
    SELECT budget.b, ST_MakeLine(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326),
                                 ST_LineInterpolatePoint(e.geom, %(f)s))
    FROM roads_roadedge e, budget WHERE e.id = %(edge)s AND budget.b > %(off)s
),
lines AS (SELECT b, ST_Collect(ST_Transform(g, %(srid)s)) AS g FROM parts GROUP BY b),
shapes AS MATERIALIZED (
    -- MATERIALIZED: inlined, the buffer was computed twice (for the GeoJSON and for the area).
    -- Merged into long lines, simplified and put on a 1 m grid first: one buffer of few parts
    -- is what keeps an isochrone under 300 ms on a county network (bench/routing_reach.py); the
    -- grid alone took a county seat's street grid from 210 to 88 ms (a 120 m buffer does not
    -- see the metre). Where nothing but the start is reached (zero-length parts, which merging
    -- would drop) the start's circle.
    SELECT b, ST_Buffer(CASE WHEN ST_Length(g) > 1
                             THEN ST_SnapToGrid(ST_Simplify(ST_LineMerge(g), 5), 1) ELSE g END,
                        %(buffer)s, 'quad_segs=2') AS g
    FROM lines
)
SELECT b, ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(g, 10), 4326), 6),
       ST_Area(g) / 1e6
FROM shapes
"""


def isochrones(
    *,
    network: RoadNetwork,
    lon: float,
    lat: float,
    minutes: Sequence[int],
    mode: str,
    buffer_m: float = ISOCHRONE_BUFFER_M,
) -> list[Isochrone]:
    """The areas reachable from (lon, lat) by ``mode`` within each of ``minutes``, smallest
    first; one driving-distance call up to the largest cut-off. Nothing is reached (empty
    geometry) where the point is farther than ``SNAP_MAX_M`` from a road the mode may use."""
    cutoffs = sorted({int(m) for m in minutes})
    (snapped,) = snap(network, mode, [(lon, lat)])
    empty = [Isochrone(minutes=m, mode=mode, geometry=None, area_km2=0.0) for m in cutoffs]
    if snapped is None:
        return empty
    seconds = cutoffs[-1] * 60.0
    bbox = reach_bbox([(lon, lat)], seconds, mode)
    graph, (start,) = graph_sql(network, mode, [snapped], bbox=bbox)
    cost, reverse = _mode_costs(mode)
    with connection.cursor() as cursor:
        cursor.execute(
            _ISOCHRONE_SQL.format(cost=cost, reverse=reverse),
            {
                "graph": graph,
                "start": start,
                "seconds": seconds,
                "budgets": [m * 60.0 for m in cutoffs],
                "network": network.pk,
                "edge": snapped.edge_id,
                "f": snapped.fraction,
                "off": snapped.off_road_s,
                "lon": float(lon),
                "lat": float(lat),
                "srid": utm_srid(lon, lat),
                "buffer": float(buffer_m),
            },
        )
        shapes = {round(b / 60): (json.loads(geojson), area) for b, geojson, area in cursor}
    return [
        Isochrone(
            minutes=m,
            mode=mode,
            geometry=shapes[m][0] if m in shapes else None,
            area_km2=round(float(shapes[m][1]), 3) if m in shapes else 0.0,
        )
        for m in cutoffs
    ]
