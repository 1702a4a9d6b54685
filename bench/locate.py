"""Benchmark: point → grid lookup on the demo county. Prints figures; asserts nothing.

1. The locate API served as in production (gunicorn, 2 sync workers, persistent DB connections)
   next to a no-database Django view (/healthz) served the same way in the same run: p50/p95 with
   one client, and requests/s, p50/p95 with 16 concurrent clients (wrk).
2. Bulk assignment of 1,000,000 random points to grids: gridmap.queries.bulk_locate (from numpy
   arrays to grid ids, transfer included) against the textbook PostGIS join on a table that
   already holds the points (load time excluded), in the same run.

Run: make bench  (or: .venv/bin/python bench/locate.py [--points N] [--seconds S])
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench._common import free_port  # noqa: E402  (imported from here by the other benches)
from gridmap.models import Area  # noqa: E402
from gridmap.queries import bulk_locate  # noqa: E402

TARGET_P50_MS = 2.5
TARGET_RPS = 1500
TARGET_SHARE_OF_CEILING = 0.35
TARGET_BULK_RATIO = 1.2

WRK_SCRIPT = """
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%f, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"non2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def sample_points(count: int, seed: int) -> list[tuple[float, float]]:
    """Random points inside the county's grid cells (a fixed seed: the same points every run)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p.geom), ST_Y(p.geom) FROM ("
            "  SELECT (ST_Dump(ST_GeneratePoints(ST_Union(boundary), %s, %s))).geom"
            "  FROM gridmap_area WHERE level = 'grid' AND valid_to IS NULL) p",
            [count, seed],
        )
        return cursor.fetchall()


def wrk(url: str, script: Path, clients: int, seconds: int) -> dict:
    threads = min(clients, 2)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def serve(port: int) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
        ],
        cwd=ROOT,
        # One client makes every request: the per-client limit would answer 429. The counter's
        # upsert still runs, so its cost is part of the figures.
        env={**os.environ, "LOCATE_THROTTLE_RATE": "1000000/s"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def bench_api(seconds: int) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/setup.sh installs it)")
    points = sample_points(2000, seed=621122)
    locate_paths = ", ".join(f'"/api/areas/locate?lon={x:.6f}&lat={y:.6f}"' for x, y in points)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="bench-locate-"))
    locate_script = workdir / "locate.lua"
    health_script = workdir / "health.lua"
    locate_script.write_text(WRK_SCRIPT % {"paths": locate_paths})
    health_script.write_text(WRK_SCRIPT % {"paths": '"/healthz"'})
    server = serve(port)
    try:
        # Warm up both workers: imports, the persistent connection, PostGIS loaded in the backend.
        wrk(base, locate_script, 4, 2)
        wrk(base, health_script, 4, 1)
        rows = {}
        for name, script in (("no-DB view /healthz", health_script), ("locate", locate_script)):
            rows[name] = (wrk(base, script, 1, seconds), wrk(base, script, 16, seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    print("\n== Locate API: gunicorn, 2 sync workers, persistent connections, wrk ==")
    print(
        f"{'endpoint':<22}{'p50 1c':>9}{'p95 1c':>9}{'req/s 16c':>11}{'p50 16c':>9}"
        f"{'p95 16c':>9}{'non-2xx':>9}"
    )
    for name, (single, many) in rows.items():
        print(
            f"{name:<22}{single['p50_us'] / 1000:>7.2f}ms{single['p95_us'] / 1000:>7.2f}ms"
            f"{many['rps']:>11.0f}{many['p50_us'] / 1000:>7.2f}ms{many['p95_us'] / 1000:>7.2f}ms"
            f"{single['non2xx'] + many['non2xx']:>9}"
        )
    single, many = rows["locate"]
    ceiling = rows["no-DB view /healthz"][1]["rps"]
    share = many["rps"] / ceiling
    print(
        f"locate p50 {single['p50_us'] / 1000:.2f} ms (target ≤ {TARGET_P50_MS}) | "
        f"{many['rps']:.0f} req/s (target ≥ {TARGET_RPS}) | "
        f"{share:.0%} of the no-DB ceiling (target ≥ {TARGET_SHARE_OF_CEILING:.0%})"
    )


def bench_bulk(count: int) -> None:
    county = Area.objects.get(level="county", valid_to__isnull=True)
    min_lon, min_lat, max_lon, max_lat = county.boundary.extent
    rng = np.random.default_rng(621122)
    lons = rng.uniform(min_lon, max_lon, count)
    lats = rng.uniform(min_lat, max_lat, count)

    started = time.perf_counter()
    ours = bulk_locate(lons, lats)
    ours_seconds = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_points")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_points (id int4 PRIMARY KEY, geom geometry(Point, 4326), "
            "grid_id bigint)"
        )
        load_started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_points (id, geom) FROM STDIN") as copy:
            for index in range(0, count, 100_000):
                chunk = "".join(
                    f"{i}\tSRID=4326;POINT({x:.9f} {y:.9f})\n"
                    for i, x, y in zip(
                        range(index, index + 100_000),
                        lons[index : index + 100_000],
                        lats[index : index + 100_000],
                        strict=False,
                    )
                )
                copy.write(chunk)
        cursor.execute("CREATE INDEX ON bench_points USING gist (geom)")
        cursor.execute("ANALYZE bench_points")
        load_seconds = time.perf_counter() - load_started

        select_started = time.perf_counter()
        cursor.execute(
            "SELECT count(*) FROM bench_points p JOIN gridmap_area g ON ST_Intersects(g.boundary, "
            "p.geom) WHERE g.level = 'grid' AND g.valid_to IS NULL"
        )
        select_seconds = time.perf_counter() - select_started

        join_started = time.perf_counter()
        cursor.execute(
            "UPDATE bench_points p SET grid_id = g.id FROM gridmap_area g "
            "WHERE g.level = 'grid' AND g.valid_to IS NULL AND ST_Intersects(g.boundary, p.geom)"
        )
        raw_seconds = time.perf_counter() - join_started
        cursor.execute("SELECT id, COALESCE(grid_id, 0) FROM bench_points ORDER BY id")
        raw = np.array([row[1] for row in cursor.fetchall()], dtype=np.int64)
        cursor.execute("DROP TABLE bench_points")

    located = int((ours > 0).sum())
    disagree = int((ours != raw).sum())
    print(f"\n== Bulk point → grid, {count:,} random points in the county's extent ==")
    print(
        f"bulk_locate (numpy in → ids out, transfer included): {ours_seconds:6.2f} s "
        f"({count / ours_seconds:,.0f} points/s)"
    )
    print(
        f"raw PostGIS join (UPDATE … FROM … ST_Intersects):    {raw_seconds:6.2f} s "
        f"(points already loaded + indexed; loading took {load_seconds:.2f} s more)"
    )
    print(
        f"raw PostGIS join, count only (no write, no transfer): {select_seconds:6.2f} s "
        f"(ours/that {ours_seconds / select_seconds:.2f})"
    )
    print(
        f"ratio ours/raw {ours_seconds / raw_seconds:.2f} (target ≤ {TARGET_BULK_RATIO}); "
        f"{located:,} points inside a grid; {disagree} differ (points on shared edges)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="bulk points (1,000,000)")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per run (10)")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-bulk", action="store_true")
    args = parser.parse_args()
    grids = Area.objects.filter(level="grid", valid_to__isnull=True).count()
    if grids == 0:
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    print(f"Demo county: {grids:,} grid cells; {os.cpu_count()} CPU cores")
    if not args.skip_api:
        bench_api(args.seconds)
    if not args.skip_bulk:
        bench_bulk(args.points)


if __name__ == "__main__":
    main()
