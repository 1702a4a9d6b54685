"""Benchmark: isochrones and the service circle on a county-sized road network. Prints figures;
asserts nothing. Targets (issue 15): isochrone 10 min by car ≤ 300 ms; the county's
service-circle figures for all townships ≤ 10 s.

The network is the active one (the demo roads after `make demo`); where none is loaded, or with
--generate, a synthetic lattice over the county's extent (village roads every --spacing metres,
jittered, a county road every fourth line) is built inside the run's transaction. Service points
are the active ones, or, where none, one at each township's label point. Everything the run
builds is rolled back at the end: the database is left as it was.

Run: .venv/bin/python bench/routing_reach.py [--generate] [--spacing 800] [--isochrones 20]
(needs the demo county's areas: `make demo` or `manage.py load_demo`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.gis.geos import LineString  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from analytics.coverage.models import ServicePoint  # noqa: E402
from analytics.coverage.reach import DEFAULT_MINUTES, DEFAULT_MODE  # noqa: E402
from analytics.coverage.report import coverage  # noqa: E402
from gridmap.choices import AreaLevel  # noqa: E402
from gridmap.models import Area  # noqa: E402
from roads.isochrones import isochrones  # noqa: E402
from roads.queries import active_network  # noqa: E402
from roads.services import RoadLine, build_network  # noqa: E402

TARGET_ISOCHRONE_MS = 300
TARGET_COVERAGE_S = 10


class Rollback(Exception):  # noqa: N818  (not an error: the end of every run)
    """Raised at the end of the run to roll back what it built."""


def lattice(county: Area, spacing_m: float, seed: int = 15) -> list[RoadLine]:
    """Roads every ``spacing_m`` over the county's extent, nodes jittered by a fifth of it."""
    rng = random.Random(seed)
    west, south, east, north = county.boundary.extent
    dlat = spacing_m / 110_950
    dlon = spacing_m / (111_320 * 0.82)  # cos 35°
    columns = int((east - west) / dlon) + 1
    rows = int((north - south) / dlat) + 1
    nodes = [
        [
            (
                west + i * dlon + rng.uniform(-0.2, 0.2) * dlon,
                south + j * dlat + rng.uniform(-0.2, 0.2) * dlat,
            )
            for j in range(rows)
        ]
        for i in range(columns)
    ]
    lines = []
    for i in range(columns):
        for j in range(rows):
            if i + 1 < columns:
                kind = "county" if j % 4 == 0 else "village"
                lines.append(RoadLine(LineString(nodes[i][j], nodes[i + 1][j], srid=4326), kind))
            if j + 1 < rows:
                kind = "county" if i % 4 == 0 else "village"
                lines.append(RoadLine(LineString(nodes[i][j], nodes[i][j + 1], srid=4326), kind))
    return lines


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(options: argparse.Namespace) -> None:
    county = Area.objects.current().filter(level=AreaLevel.COUNTY).order_by("code").first()
    if county is None:
        sys.exit("No county loaded: run `make demo` (or manage.py load_demo) first.")
    network = None if options.generate else active_network()
    if network is None:
        started = time.perf_counter()
        network = build_network(
            name="bench lattice", lines=lattice(county, options.spacing), synthetic=True
        )
        # A fresh table has no statistics: without them the planner skips the KNN index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE roads_roadedge")
            cursor.execute("ANALYZE roads_roadnode")
        print(
            f"network: generated lattice, {network.edge_count} edges, {network.node_count} nodes "
            f"({time.perf_counter() - started:.1f} s to build)"
        )
    else:
        print(f"network: {network.name}, {network.edge_count} edges, {network.node_count} nodes")
    if not ServicePoint.objects.filter(active=True).exists():
        townships = Area.objects.current().filter(level=AreaLevel.TOWNSHIP, parent=county)
        grid = Area.objects.current().filter(level=AreaLevel.GRID).first()
        ServicePoint.objects.bulk_create(
            ServicePoint(name=t.name, kind="room", point=t.label_point, area=grid)
            for t in townships
        )
        print(f"service points: {townships.count()} (township label points, temporary)")
    else:
        print(f"service points: {ServicePoint.objects.filter(active=True).count()} active")

    rng = random.Random(1)
    cells = list(
        Area.objects.current()
        .filter(level=AreaLevel.GRID)
        .values_list("label_point", flat=True)[:5000]
    )
    starts = rng.sample(cells, min(options.isochrones, len(cells)))
    isochrones(network=network, lon=starts[0].x, lat=starts[0].y, minutes=[10], mode="car")
    timings = []
    for point in starts:
        started = time.perf_counter()
        isochrones(network=network, lon=point.x, lat=point.y, minutes=[10], mode="car")
        timings.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(
        f"isochrone 10 min car, {len(timings)} starts: p50 {p50:.0f} ms, p95 {p95:.0f} ms "
        f"(target ≤ {TARGET_ISOCHRONE_MS} ms) {'OK' if p95 <= TARGET_ISOCHRONE_MS else 'OVER'}"
    )
    started = time.perf_counter()
    result = coverage(county, mode=DEFAULT_MODE, minutes=DEFAULT_MINUTES)
    seconds = time.perf_counter() - started
    share = result.total.share or 0
    print(
        f"service circle {DEFAULT_MINUTES} min {DEFAULT_MODE}, {len(result.rows)} townships, "
        f"{len(result.demand.cells)} cells, {len(result.demand.edges)} edges: {seconds:.1f} s "
        f"(target ≤ {TARGET_COVERAGE_S} s) {'OK' if seconds <= TARGET_COVERAGE_S else 'OVER'}; "
        f"county share {share:.1%}"
    )
    started = time.perf_counter()
    result = coverage(county, mode=DEFAULT_MODE, minutes=DEFAULT_MINUTES, suggest=3)
    seconds = time.perf_counter() - started
    gains = ", ".join(f"{s.name} +{s.gain:.0f}" for s in result.suggestions)
    print(f"with 3 suggested sites among village centres: {seconds:.1f} s ({gains})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generate", action="store_true", help="a lattice even if roads exist")
    parser.add_argument("--spacing", type=float, default=800.0, help="lattice spacing (m)")
    parser.add_argument("--isochrones", type=int, default=20, help="isochrones to time")
    options = parser.parse_args()
    try:
        with transaction.atomic():
            run(options)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
