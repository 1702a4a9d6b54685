"""One unit's way to a matter for the console's map: the roads it takes, cut where it joins
and leaves them, with the off-road legs (the ranking itself is roads.travel's)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from roads.models import RoadNetwork
from roads.queries import active_network, edges_sql
from roads.snapping import Box, Snap, inside, points_sql, quote, same_place, walk_seconds
from roads.travel import (
    BOX_MARGIN_M,
    MATTER_PID,
    WIDE_FACTOR,
    Eta,
    EtaSource,
    Fallback,
    Traveller,
    dispatch_box,
    snap_for_dispatch,
    straight_distances,
    straight_eta,
    unit_pid,
    unroutable,
)


@dataclass(frozen=True)
class Route:
    """One unit's way to the matter, for the map: WGS84 coordinates from the unit to the matter."""

    coordinates: list[tuple[float, float]]
    eta: Eta
    road_m: float = 0.0


def route(
    matter: tuple[float, float], unit: Traveller, *, network: RoadNetwork | None = None
) -> Route:
    """The unit's way to the matter: the off-road leg, the roads, the off-road leg to the matter;
    the straight line (labelled) where it cannot be routed."""
    distance = straight_distances(matter, [unit])[unit.key]
    network = network if network is not None else active_network()
    straight = [(unit.lon, unit.lat), matter]
    if network is None:
        return Route(straight, straight_eta(unit, distance, Fallback.NO_NETWORK))
    found = None
    for margin in (BOX_MARGIN_M, BOX_MARGIN_M * WIDE_FACTOR):
        box = dispatch_box(matter, [unit], margin)
        snaps = snap_for_dispatch(network, matter, [unit], {unit.mode: box})
        here, there = snaps.get((unit_pid(0), unit.mode)), snaps.get((MATTER_PID, unit.mode))
        why = unroutable(here, there)
        if why:
            return Route(straight, straight_eta(unit, distance, why))
        found = _path(network, unit.mode, box, here, there)
        if found is not None:
            break
    if found is None:
        return Route(straight, straight_eta(unit, distance, Fallback.NOT_CONNECTED))
    pieces, road_s, road_m = found
    coordinates = _joined([[(unit.lon, unit.lat), here.at], *pieces, [there.at, matter]])
    off_road_m = here.off_m + there.off_m
    eta = Eta(
        seconds=road_s + walk_seconds(off_road_m),
        source=EtaSource.ROAD,
        distance_m=distance,
        off_road_m=off_road_m,
    )
    return Route(coordinates, eta, road_m)


# One unit's path, each edge's stretch as GeoJSON in the direction travelled: a stretch runs from
# where the path enters the edge to where it leaves it (0 at the source node, 1 at the target, the
# fraction at the unit's or the matter's place), cut on the same metric scale as the snapping.
_PATH_SQL = """
WITH path AS (
    SELECT seq, node, edge, cost, lead(node) OVER (ORDER BY seq) AS next_node
    FROM pgr_withPoints({edges}, {points}, %(unit)s, %(matter)s,
                        directed => true, driving_side => 'b', details => false)
), stretch AS (
    SELECT path.seq, path.cost, e.geom, e.length_m,
           CASE path.node WHEN e.source_id THEN 0.0 WHEN e.target_id THEN 1.0
                WHEN %(unit)s THEN %(unit_fraction)s ELSE %(matter_fraction)s END AS f1,
           CASE path.next_node WHEN e.source_id THEN 0.0 WHEN e.target_id THEN 1.0
                WHEN %(unit)s THEN %(unit_fraction)s ELSE %(matter_fraction)s END AS f2
    FROM path JOIN roads_roadedge e ON e.id = path.edge
)
SELECT seq, cost, length_m * abs(f2 - f1),
       ST_AsGeoJSON(ST_Scale(
           CASE WHEN f1 <= f2 THEN ST_LineSubstring(ST_Scale(geom, %(k)s, 1), f1, f2)
                ELSE ST_Reverse(ST_LineSubstring(ST_Scale(geom, %(k)s, 1), f2, f1)) END,
           1 / %(k)s, 1), 7)
FROM stretch
ORDER BY seq
"""


def _path(
    network: RoadNetwork,
    mode: str,
    box: Box,
    here: Snap,
    there: Snap,
) -> tuple[list[list[tuple[float, float]]], float, float] | None:
    """The stretches of the unit's path to the matter, its seconds and metres; None if the
    search does not reach the matter inside ``box``."""
    pid = unit_pid(0)
    if same_place(here, there):
        return [], 0.0, 0.0
    points = points_sql({MATTER_PID: there, pid: here}, reverse=False)
    sql = _PATH_SQL.format(edges=quote(edges_sql(network.pk, mode, box)), points=quote(points))
    params = {
        "unit": -pid,
        "matter": -MATTER_PID,
        "unit_fraction": inside(here.fraction),
        "matter_fraction": inside(there.fraction),
        "k": math.cos(math.radians(there.at[1])),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    pieces = [_coordinates(json.loads(geojson)) for *_, geojson in rows]
    return pieces, sum(row[1] for row in rows), sum(row[2] for row in rows)


def _coordinates(geometry: dict) -> list[tuple[float, float]]:
    """A stretch's points (a stretch of no length comes back as a point)."""
    if geometry["type"] == "Point":
        return [tuple(geometry["coordinates"])]
    return [tuple(xy) for xy in geometry["coordinates"]]


def _joined(pieces: Iterable[Iterable[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One line from consecutive pieces, without repeating the points where they meet."""
    line: list[tuple[float, float]] = []
    for piece in pieces:
        for point in piece:
            point = (round(point[0], 7), round(point[1], 7))
            if not line or line[-1] != point:
                line.append(point)
    return line
