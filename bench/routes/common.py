"""bench/routing.py's network: the demo's roads when loaded, else a county-sized lattice made by
the bench (and deleted after the run)."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from django.contrib.gis.geos import LineString
from django.db import connection

from roads.choices import RoadClass
from roads.models import RoadNetwork
from roads.queries import active_network
from roads.services import RoadLine, build_network

SEED = 621122
BENCH_NETWORK = "bench/routing.py: synthetic lattice, deleted after the run"
# Longxi's extent, when no demo county is loaded.
DEFAULT_EXTENT = (104.30, 34.75, 105.05, 35.30)


def say(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass
class Network:
    """The network the bench routes on, and whether the bench made it (then it removes it)."""

    network: RoadNetwork
    made: bool


def county_extent() -> tuple[float, float, float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(boundary)"
            " AS e FROM gridmap_area WHERE level = 'county' AND valid_to IS NULL) x"
        )
        row = cursor.fetchone()
    return tuple(row) if row and row[0] is not None else DEFAULT_EXTENT


def lattice_lines(extent, spacing_m: float, rng: random.Random) -> list[RoadLine]:
    """A jittered lattice over ``extent``: county roads every 10th line, township roads every
    5th, village roads between; a tenth of the village links left out, every 40th edge one-way,
    so the graph is irregular (dead ends, detours) like a rural county's."""
    west, south, east, north = extent
    cos_lat = math.cos(math.radians((south + north) / 2))
    d_lat = spacing_m / 111_320
    d_lon = spacing_m / (111_320 * cos_lat)
    columns = int((east - west) / d_lon) + 1
    rows = int((north - south) / d_lat) + 1
    jitter = 0.3
    node = {
        (i, j): (
            west + (i + rng.uniform(-jitter, jitter)) * d_lon,
            south + (j + rng.uniform(-jitter, jitter)) * d_lat,
        )
        for i in range(columns)
        for j in range(rows)
    }
    lines = []
    count = 0
    for (i, j), start in node.items():
        for di, dj in ((1, 0), (0, 1)):
            end = node.get((i + di, j + dj))
            if end is None:
                continue
            line_index = j if dj == 0 else i
            if line_index % 10 == 0:
                road_class = RoadClass.COUNTY
            elif line_index % 5 == 0:
                road_class = RoadClass.TOWNSHIP
            else:
                road_class = RoadClass.VILLAGE
                if rng.random() < 0.10:
                    continue
            count += 1
            lines.append(
                RoadLine(
                    geom=LineString(start, end, srid=4326),
                    road_class=road_class,
                    oneway=count % 40 == 0,
                )
            )
    return lines


def bench_network(spacing_m: float) -> Network:
    """The active network if there is one (the demo's roads), else a lattice the bench builds."""
    network = active_network()
    if network is not None:
        say(
            f"Network: {network.name!r} ({network.edge_count:,} edges, {network.node_count:,} "
            f"nodes, {network.component_count} components)"
        )
        return Network(network, made=False)
    extent = county_extent()
    started = time.perf_counter()
    lines = lattice_lines(extent, spacing_m, random.Random(SEED))
    network = build_network(name=BENCH_NETWORK, lines=lines, synthetic=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE roads_roadedge")
        cursor.execute("ANALYZE roads_roadnode")
    say(
        f"Network: no roads loaded, so a lattice over the county's extent, {spacing_m:.0f} m "
        f"spacing: {network.edge_count:,} edges, {network.node_count:,} nodes, "
        f"{network.component_count} components, built in {time.perf_counter() - started:.1f} s"
    )
    return Network(network, made=True)


def remove_network(network: Network) -> None:
    if network.made:
        RoadNetwork.objects.filter(pk=network.network.pk).delete()
        say("Deleted the bench's lattice.")
