"""Who is within reach of a service point, and where one more would reach the most residents.

**Where residents are.** A grid cell's population (``Area.population``) is spread over the cell's
road-reachable area: the band of a fixed width along the roads inside it that the mode may use
(expressways aside). With a band of constant width the area is proportional to the road length,
so a cell's covered share is *the reached length of its roads / the length of its roads*, and its
covered residents are population × share. Junction overlaps are ignored. A cell without such a
road has no road-reachable area: its residents count as not covered (``no_road``), whatever the
time; a cell without a population figure counts for nothing.

**What is reached.** One ``pgr_drivingDistance`` from all active service points at once (a
virtual super source joined to each point's snapped edge, the walk to the road included) on the
*reversed* graph: the time for a resident to get *to* the nearest point, which differs from the
time from it on one-way roads. An edge is reached from an end whose time is below the limit as
far along as the time left allows; the service point's own edge both ways from the point. The
covered part of each road piece in a cell is the union of those intervals.

**Where to put the next one** (``suggest``): candidates are village centres (the label points of
the villages); each candidate's own reach comes from one multi-start driving-distance call; the
greedy maximal covering location picks, k times, the candidate that adds the most covered
residents to what the existing points (and the picks so far) cover, and reports that gain. Greedy
is within (1 - 1/e) of the best k-set (coverage is submodular); tests compare it with brute force.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from analytics.coverage.models import ServicePoint
from gridmap.choices import AreaLevel
from gridmap.models import Area
from roads.choices import TravelMode
from roads.isochrones import Snap, node_costs, reach_bbox, snap
from roads.models import RoadNetwork
from roads.queries import active_network

# The reading of the "mediation within ten minutes of every resident": rural residents of
# the Loess Plateau travel by e-bike or three-wheeler; on foot ten minutes is 750 m, less than a
# village, by car it overstates what most residents can do.
DEFAULT_MODE = TravelMode.BIKE
DEFAULT_MINUTES = 10
METHOD = "road-length"

Interval = tuple[float, float]


@dataclass
class Piece:
    """The part [t0, t1] (fractions along the edge) of an edge inside one grid cell."""

    cell: int
    t0: float
    t1: float
    length_m: float


@dataclass
class EdgeInfo:
    source: int
    target: int
    # A resident on the edge travels to a service point through one of its ends: to the source
    # against the edge's direction (its reverse cost), to the target along it (its cost).
    via_source: float  # seconds for the whole edge target → source (-1: no way)
    via_target: float  # seconds for the whole edge source → target (-1: no way)
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Cell:
    id: int
    code: str
    name: str
    population: int
    road_m: float = 0.0


@dataclass
class Demand:
    """The residents of an area as the coverage model sees them: cells and their road pieces."""

    area: Area
    mode: str
    seconds: float
    network: RoadNetwork
    cells: dict[int, Cell]
    edges: dict[int, EdgeInfo]
    bbox: tuple[float, float, float, float]
    cells_without_population: int = 0
    node_edges: dict[int, list[int]] | None = None  # built on first use (touched_edges)


@dataclass
class Reach:
    """What a set of origins reaches: node times and the origins' own edge intervals."""

    nodes: dict[int, float] = field(default_factory=dict)
    own: dict[int, list[Interval]] = field(default_factory=dict)

    def merged(self, other: Reach) -> Reach:
        nodes = dict(self.nodes)
        for node, cost in other.nodes.items():
            if cost < nodes.get(node, float("inf")):
                nodes[node] = cost
        own = {edge: list(spans) for edge, spans in self.own.items()}
        for edge, spans in other.own.items():
            own.setdefault(edge, []).extend(spans)
        return Reach(nodes=nodes, own=own)


# --- reading the demand -------------------------------------------------------------------------

_PIECES_SQL = """
WITH pairs AS (
    SELECT g.id AS cell, e.id, e.source_id, e.target_id, {cost} AS c, {reverse} AS r, e.geom,
           e.length_m, g.boundary, ST_CoveredBy(e.geom, g.boundary) AS inside
    FROM gridmap_area g
    JOIN roads_roadedge e ON e.network_id = %(network)s AND e.geom && g.boundary
         AND ST_Intersects(e.geom, g.boundary)
    WHERE g.id = ANY(%(cells)s) AND e.road_class <> 'expressway' AND ({cost} >= 0 OR {reverse} >= 0)
)
-- Most edges lie inside one cell: whole, without cutting them.
SELECT cell, id, source_id, target_id, c, r, 0.0, 1.0, length_m FROM pairs WHERE inside
UNION ALL
SELECT p.cell, p.id, p.source_id, p.target_id, p.c, p.r,
       ST_LineLocatePoint(p.geom, ST_StartPoint(d.geom)),
       ST_LineLocatePoint(p.geom, ST_EndPoint(d.geom)),
       ST_Length(d.geom::geography)
FROM pairs p CROSS JOIN LATERAL ST_Dump(ST_Intersection(p.geom, p.boundary)) d
WHERE NOT inside AND ST_GeometryType(d.geom) = 'ST_LineString'
"""


def _costs_sql(mode: str) -> tuple[str, str]:
    column = {"walk": "e.walk_s", "bike": "e.bike_s", "car": "e.car_s"}[TravelMode(mode)]
    reverse = column if mode == TravelMode.WALK else f"CASE WHEN e.oneway THEN -1 ELSE {column} END"
    return column, reverse


def load_demand(
    area: Area, *, mode: str, minutes: int, network: RoadNetwork | None = None
) -> Demand | None:
    """The grid cells under ``area`` with their road pieces (None: no road network loaded)."""
    network = network or active_network()
    if network is None:
        return None
    seconds = minutes * 60.0
    grids = Area.objects.current().filter(level=AreaLevel.GRID, code__startswith=area.code_prefix)
    if area.level == AreaLevel.GRID:
        grids = Area.objects.filter(pk=area.pk)
    cells: dict[int, Cell] = {}
    missing = 0
    for pk, code, name, population in grids.values_list("pk", "code", "name", "population"):
        if population is None:
            missing += 1
            continue
        cells[pk] = Cell(id=pk, code=code, name=name, population=population)
    cost, reverse = _costs_sql(mode)
    edges: dict[int, EdgeInfo] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            _PIECES_SQL.format(cost=cost, reverse=reverse),
            {"network": network.pk, "cells": list(cells)},
        )
        for cell, edge, source, target, c, r, t0, t1, length in cursor.fetchall():
            info = edges.setdefault(
                edge,
                EdgeInfo(source=source, target=target, via_source=float(r), via_target=float(c)),
            )
            low, high = sorted((float(t0), float(t1)))
            info.pieces.append(Piece(cell=cell, t0=low, t1=high, length_m=float(length)))
            cells[cell].road_m += float(length)
    west, south, east, north = area.boundary.extent
    corners = [(west, south), (east, north)]
    return Demand(
        area=area,
        mode=mode,
        seconds=seconds,
        network=network,
        cells=cells,
        edges=edges,
        bbox=reach_bbox(corners, seconds, mode),
        cells_without_population=missing,
    )


# --- reach --------------------------------------------------------------------------------------


def _own_intervals(s: Snap, seconds: float) -> list[Interval]:
    """The snapped point's own edge, both ways from it (towards the point: reversed costs)."""
    left = seconds - s.off_road_s
    if left <= 0:
        return []
    f, spans = s.fraction, []
    # Residents beyond the point travel against the edge's direction to it, those before along.
    if s.reverse_cost >= 0:
        spans.append((f, min(1.0, f + left / s.reverse_cost) if s.reverse_cost > 0 else 1.0))
    if s.cost >= 0:
        spans.append((max(0.0, f - left / s.cost) if s.cost > 0 else 0.0, f))
    return spans


def reach_of(demand: Demand, points: Sequence[tuple[float, float]]) -> Reach:
    """What ``points`` (lon, lat) reach together within the demand's time."""
    snaps = [s for s in snap(demand.network, demand.mode, points) if s is not None]
    if not snaps:
        return Reach()
    costs = node_costs(
        demand.network, demand.mode, snaps, demand.seconds, inbound=True, bbox=demand.bbox
    ).get(0, {})
    own: dict[int, list[Interval]] = defaultdict(list)
    for s in snaps:
        own[s.edge_id].extend(_own_intervals(s, demand.seconds))
    return Reach(nodes=costs, own=dict(own))


def reach_each(demand: Demand, points: Sequence[tuple[float, float]]) -> list[Reach]:
    """The reach of each point on its own (one multi-start driving-distance call)."""
    snapped = snap(demand.network, demand.mode, points)
    usable = [(i, s) for i, s in enumerate(snapped) if s is not None]
    result = [Reach() for _ in points]
    if not usable:
        return result
    costs = node_costs(
        demand.network,
        demand.mode,
        [s for _i, s in usable],
        demand.seconds,
        per_origin=True,
        inbound=True,
        bbox=demand.bbox,
    )
    for order, (index, s) in enumerate(usable):
        result[index] = Reach(
            nodes=costs.get(order, {}), own={s.edge_id: _own_intervals(s, demand.seconds)}
        )
    return result


def service_points_reach(demand: Demand) -> tuple[Reach, int]:
    """The reach of the active service points near the area, and how many there are."""
    west, south, east, north = demand.bbox
    points = [
        (p.x, p.y)
        for p in ServicePoint.objects.filter(
            active=True, point__within=_box(west, south, east, north)
        ).values_list("point", flat=True)
    ]
    return reach_of(demand, points), len(points)


def _box(west: float, south: float, east: float, north: float):
    from django.contrib.gis.geos import Polygon

    return Polygon.from_bbox((west, south, east, north))


# --- covered residents --------------------------------------------------------------------------


def edge_intervals(demand: Demand, edge_id: int, info: EdgeInfo, reach: Reach) -> list[Interval]:
    """The reached parts of one edge as fractions along it, merged."""
    budget = demand.seconds
    spans: list[Interval] = list(reach.own.get(edge_id, ()))
    at_source = reach.nodes.get(info.source)
    if at_source is not None and at_source < budget and info.via_source >= 0:
        left = budget - at_source
        spans.append((0.0, min(1.0, left / info.via_source) if info.via_source > 0 else 1.0))
    at_target = reach.nodes.get(info.target)
    if at_target is not None and at_target < budget and info.via_target >= 0:
        left = budget - at_target
        spans.append((max(0.0, 1 - left / info.via_target) if info.via_target > 0 else 0.0, 1.0))
    return merge(spans)


def merge(spans: Iterable[Interval]) -> list[Interval]:
    """Overlapping intervals joined, sorted."""
    merged: list[list[float]] = []
    for low, high in sorted(spans):
        if high <= low:
            continue
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


def _covered_m(piece: Piece, spans: list[Interval]) -> float:
    width = piece.t1 - piece.t0
    if width <= 0:
        # A piece too short to locate apart: reached if its point is.
        return piece.length_m if any(lo <= piece.t0 <= hi for lo, hi in spans) else 0.0
    inside = sum(max(0.0, min(hi, piece.t1) - max(lo, piece.t0)) for lo, hi in spans)
    return piece.length_m * min(1.0, inside / width)


def covered_by_cell(demand: Demand, reach: Reach, edges: Iterable[int] | None = None) -> dict:
    """Reached road metres per cell (over ``edges``, default all)."""
    reached: dict[int, float] = defaultdict(float)
    for edge_id in edges if edges is not None else demand.edges:
        info = demand.edges[edge_id]
        spans = edge_intervals(demand, edge_id, info, reach)
        if not spans:
            continue
        for piece in info.pieces:
            reached[piece.cell] += _covered_m(piece, spans)
    return reached


def covered_residents(demand: Demand, reach: Reach, edges: Iterable[int] | None = None) -> float:
    """Residents within reach: Σ population × reached road length / road length, per cell."""
    total = 0.0
    for cell_id, metres in covered_by_cell(demand, reach, edges).items():
        cell = demand.cells[cell_id]
        if cell.road_m > 0:
            total += cell.population * min(1.0, metres / cell.road_m)
    return total


def cell_shares(demand: Demand, reach: Reach) -> dict[int, float]:
    """The covered share of each cell's residents (0 for a cell without roads)."""
    reached = covered_by_cell(demand, reach)
    return {
        pk: (min(1.0, reached.get(pk, 0.0) / cell.road_m) if cell.road_m > 0 else 0.0)
        for pk, cell in demand.cells.items()
    }


# --- where to put the next one ------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A suggested new service point and the residents it adds."""

    index: int  # into the candidate list
    gain: float


def touched_edges(demand: Demand, reach: Reach) -> set[int]:
    """The demand's edges that ``reach`` reaches at all."""
    if demand.node_edges is None:
        demand.node_edges = defaultdict(list)
        for edge_id, info in demand.edges.items():
            demand.node_edges[info.source].append(edge_id)
            demand.node_edges[info.target].append(edge_id)
    touched = {edge_id for edge_id in reach.own if edge_id in demand.edges}
    for node, cost in reach.nodes.items():
        if cost < demand.seconds:
            touched.update(demand.node_edges.get(node, ()))
    return touched


def greedy_sites(demand: Demand, base: Reach, candidates: Sequence[Reach], k: int) -> list[Site]:
    """The greedy maximal covering location: k times the candidate adding the most residents
    (ties: the earlier candidate); stops early when no candidate adds anyone."""
    current = base
    touched = [touched_edges(demand, reach) for reach in candidates]
    chosen: list[Site] = []
    for _round in range(k):
        best: Site | None = None
        for index, reach in enumerate(candidates):
            if any(site.index == index for site in chosen) or not touched[index]:
                continue
            before = covered_residents(demand, current, touched[index])
            after = covered_residents(demand, current.merged(reach), touched[index])
            gain = after - before
            if gain > 1e-9 and (best is None or gain > best.gain + 1e-9):
                best = Site(index=index, gain=gain)
        if best is None:
            break
        chosen.append(best)
        current = current.merged(candidates[best.index])
    return chosen


def village_centres(area: Area) -> list[Area]:
    """The candidate sites: the villages under ``area`` (their label points)."""
    villages = Area.objects.current().filter(
        level=AreaLevel.VILLAGE, code__startswith=area.code_prefix
    )
    return list(villages.only("pk", "code", "name", "label_point").order_by("code"))
