"""Benchmark: the operations map's vector tiles and time to first rendered matters. Prints figures.

For the demo county as loaded, then with 1,000,000 synthetic matters added:

1. Tile time and size: ``incidents.tiles.incident_tile`` for the demo county administrator (the
   whole county in scope, the same SQL the tile view runs) at z10, z12 and z14, on the tile that
   holds the densest 1 km of matters; the open matters (the map's default) and every matter
   (state=all). Median of 5 runs after one warm-up; size raw and gzip-compressed (level 6).
   Targets: z12 ≤ 60 ms and ≤ 50 KB gzip.
2. Time to first rendered matters: gunicorn (2 sync workers) serves the site on a loopback port
   (8250–8299); headless Chromium (Playwright, Debian's /usr/bin/chromium) signs in as the demo
   administrator and opens /map/; the figure is performance.now() when the matters layer has drawn
   all its first tiles (the map marks it on #area-map). Target ≤ 2 s.

The synthetic matters are points of which half are placed uniformly over the county's extent,
half near a demo matter (±5 km, so the demo's towns and roads stay denser); each copies the demo
matter nearest to its point (kind, category, state, grid, handling unit and the rest), so that
its grid and unit agree with where it lies, as taken-in matters do. One INSERT … SELECT in the
database, then ANALYZE; the triggers of the handled-matter tally (incidents.HandledTally) run as
for any insert. They are removed at the end — also after an error or Ctrl-C — by id (everything
above the largest id before the bench), then VACUUM ANALYZE.

Run: make bench  (or: .venv/bin/python bench/map.py [--synthetic N])
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.locate import serve  # noqa: E402
from gridmap.demo.logins import DEMO_LOGINS, DEMO_PASSWORD  # noqa: E402
from incidents.tiles import TileFilters, incident_tile  # noqa: E402
from tests.mvt import tile_of  # noqa: E402  (the tests' tile arithmetic)

ZOOMS = (10, 12, 14)


def say(message: str) -> None:
    print(message, flush=True)


def demo_admin() -> tuple[User, str]:
    login = next(item for item in DEMO_LOGINS if item.role == "county_admin")
    user = User.objects.filter(username=login.username).first()
    if user is None:
        raise SystemExit("No demo administrator: run `manage.py load_demo` (make bench does).")
    return user, DEMO_PASSWORD


def densest_point() -> tuple[float, float]:
    """Centre of the 0.01° cell holding the most matters."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT floor(ST_X(location) * 100) / 100 + 0.005, floor(ST_Y(location) * 100) / 100"
            " + 0.005 FROM incidents_incident GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        )
        return cursor.fetchone()


def count_matters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident")
        return cursor.fetchone()[0]


def bench_tiles(user: User, label: str) -> None:
    lon, lat = densest_point()
    say(f"\n{label}: {count_matters():,} matters; tiles around ({lon:.3f}, {lat:.3f})")
    say(f"  {'zoom':>4}  {'filter':<6}  {'features':>8}  {'median':>9}  {'raw':>9}  {'gzip':>9}")
    for state in ("open", "all"):
        filters = TileFilters.from_query(QueryDict(f"state={state}"))
        for z in ZOOMS:
            x, y = tile_of(lon, lat, z)
            incident_tile(user, filters, z, x, y)  # warm-up
            times, body = [], b""
            for _ in range(5):
                start = time.perf_counter()
                body = incident_tile(user, filters, z, x, y)
                times.append((time.perf_counter() - start) * 1000)
            packed = len(gzip.compress(body, 6))
            mark = ""
            if z == 12:
                ok = statistics.median(times) <= 60 and packed <= 50 * 1024
                mark = "  (target z12 ≤ 60 ms, ≤ 50 KB: " + ("met" if ok else "MISSED") + ")"
            say(
                f"  {'z' + str(z):>4}  {state:<6}  {feature_count(body):>8}  "
                f"{statistics.median(times):>6.1f} ms  {len(body) / 1024:>6.1f} KB  "
                f"{packed / 1024:>6.1f} KB{mark}"
            )


def feature_count(body: bytes) -> int:
    from tests.mvt import decode  # the tests' small MVT reader

    layer = decode(body).get("matters")
    return len(layer.features) if layer else 0


def free_bench_port() -> int:
    for port in range(8250, 8300):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("No free port in 8250-8299.")


def first_render(username: str, password: str, runs: int = 3) -> list[float]:
    """Milliseconds from navigation start to the first drawn matters on /map/, per run."""
    from playwright.sync_api import sync_playwright

    port = free_bench_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.click("form.stacked-form button[type=submit]")
            for _ in range(runs + 1):  # the first run warms the workers' connections
                page.goto(f"{base}/map/")
                page.wait_for_selector("#area-map[data-matters-loaded]", state="attached")
                results.append(float(page.get_attribute("#area-map", "data-matters-loaded")))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return results[1:]


def print_render(label: str, username: str, password: str) -> None:
    times = first_render(username, password)
    best = statistics.median(times)
    verdict = "met" if best <= 2000 else "MISSED"
    runs = ", ".join(f"{t:.0f}" for t in times)
    say(
        f"  first rendered matters in Chromium ({label}): median {best:.0f} ms [{runs}] "
        f"(target ≤ 2 s: {verdict})"
    )


def add_synthetic(count: int) -> int:
    """Insert ``count`` copies of demo matters at jittered points; return the last id before."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0), count(*) FROM incidents_incident")
        last_id, demo = cursor.fetchone()
        if demo == 0:
            raise SystemExit("No demo matters: run `manage.py load_demo_incidents` first.")
        cursor.execute(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_name = 'incidents_incident' AND column_name NOT IN
              ('id', 'uid', 'location', 'locations', 'duplicate_of_id', 'synthetic')
            ORDER BY ordinal_position
            """
        )
        columns = [row[0] for row in cursor.fetchall()]
        listed = ", ".join(f'"{name}"' for name in columns)
        copied = ", ".join(f't."{name}"' for name in columns)
        # The nearest demo matter by KNN on an index of the demo's alone: the matters table's own
        # index also walks the dead rows an earlier run left.
        cursor.execute(
            "CREATE TEMP TABLE bench_seeds ON COMMIT DROP AS"
            " SELECT * FROM incidents_incident WHERE id <= %s",
            [last_id],
        )
        cursor.execute("CREATE INDEX ON bench_seeds USING gist (location)")
        cursor.execute("ANALYZE bench_seeds")
        # Column names come from the catalogue, not from input; the numbers are parameters.
        cursor.execute(
            f"""
            WITH seeds AS (
              SELECT row_number() OVER (ORDER BY id) - 1 AS k, location FROM incidents_incident
              WHERE id <= %(last)s
            ), county AS (
              SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) - ST_XMin(e) AS dx,
                     ST_YMax(e) - ST_YMin(e) AS dy
              FROM (SELECT ST_Extent(boundary)::geometry AS e FROM gridmap_area
                    WHERE level = 'county') AS c
            ), p AS (
              SELECT CASE WHEN g %% 2 = 0
                THEN ST_SetSRID(ST_MakePoint(x0 + random() * dx, y0 + random() * dy), 4326)
                ELSE ST_SetSRID(ST_MakePoint(
                       ST_X(s.location) + (random() - 0.5) * 0.1,
                       ST_Y(s.location) + (random() - 0.5) * 0.1), 4326) END AS pt
              FROM generate_series(1, %(count)s) AS g JOIN seeds AS s ON s.k = g %% %(demo)s,
                   county
            )
            INSERT INTO incidents_incident (uid, location, locations, synthetic, {listed})
            SELECT gen_random_uuid(), p.pt, ST_Multi(p.pt), true, {copied}
            FROM p CROSS JOIN LATERAL (
              SELECT * FROM bench_seeds AS d ORDER BY d.location <-> p.pt LIMIT 1
            ) AS t
            """,
            {"last": last_id, "count": count, "demo": demo},
        )
        cursor.execute("ANALYZE incidents_incident")
    return last_id


def remove_synthetic(last_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incidents_incident WHERE id > %s", [last_id])
        # Dead rows would slow the demo's own queries (and a next run) until autovacuum came.
        cursor.execute("VACUUM ANALYZE incidents_incident")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=1_000_000)
    args = parser.parse_args()
    user, password = demo_admin()
    say(f"Map tiles and first render, as the demo administrator {user.username}.")
    bench_tiles(user, "Demo county")
    print_render("demo county", user.username, password)
    start = time.perf_counter()
    last_id = add_synthetic(args.synthetic)
    try:
        took = time.perf_counter() - start
        say(f"\n(inserted {args.synthetic:,} synthetic matters in {took:.0f} s)")
        bench_tiles(user, f"Demo county + {args.synthetic:,} synthetic matters")
        print_render(f"+ {args.synthetic:,} synthetic", user.username, password)
    finally:
        start = time.perf_counter()
        remove_synthetic(last_id)
        say(f"(removed the synthetic matters in {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
