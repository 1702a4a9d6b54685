"""bench/routing.py, section "candidates": 20 KNN candidates ranked by road ETA (roads.travel) in
the database, and GET /api/incidents/{id}/candidates at 1 client (as bench/dispatch.py serves
it: gunicorn, 2 sync workers, persistent connections)."""

from __future__ import annotations

import time
from collections import Counter

from django.db import connection

from bench.dispatching.candidates import measure_get
from bench.dispatching.setup import Bench, make_matters, make_responders, remove_all
from bench.locate import free_port, serve
from bench.routes.common import percentile, say
from incidents.models import Incident
from roads.travel import EtaSource, Traveller, best_travel_times, travel_times
from volunteers.models import stale_before
from volunteers.queries import _CANDIDATES_SQL

TARGET_DB_P50_MS = 15.0
TARGET_DB_P95_MS = 30.0
TARGET_API_P95_MS = 40.0
WINDOW = 20  # candidates(limit=5) ranks 4 × 5 units


def window_of(incident: Incident) -> list[Traveller]:
    """The KNN window candidates() ranks for the matter (its own statement)."""
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(),
        "category": incident.category_id,
        "window": WINDOW,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        rows = cursor.fetchall()
    return [Traveller(pk, x, y, mode, metres) for pk, metres, _home, mode, x, y in rows]


def bench_ranking(matters: list[Incident]) -> None:
    """Each matter's window ranked as candidates(limit=5) ranks it (best_travel_times: only the
    units that can make the five are routed) and with every unit routed (travel_times): the
    statements' time (round trips on the local socket, i.e. the database's work) and the call's
    wall time."""
    in_db: list[float] = []
    wall: list[float] = []
    every_db: list[float] = []
    routed: list[int] = []
    sizes: list[int] = []
    sources: Counter[str] = Counter()
    statements: list[int] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    for incident in matters:
        units = window_of(incident)
        if not units:
            continue
        spent: list[float] = []
        matter = (incident.location.x, incident.location.y)
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            etas = best_travel_times(matter, units, limit=5)
        wall.append((time.perf_counter() - started) * 1000)
        in_db.append(sum(spent) * 1000)
        statements.append(len(spent))
        sizes.append(len(units))
        routed.append(len(etas))
        sources.update(str(eta.source) for eta in etas.values())
        spent = []
        with connection.execute_wrapper(timed):
            travel_times(matter, units)
        every_db.append(sum(spent) * 1000)
    if not in_db:
        say("No matter had candidates: no figures.")
        return
    road = sources[EtaSource.ROAD] / max(1, sum(sources.values()))
    say(f"\n== Ranking {WINDOW} KNN candidates by road ETA, {len(in_db):,} matters ==")
    say(f"{'':<50}{'p50':>9}{'p95':>9}")
    rows = (
        ("top 5 of 20 (as candidates()), in the database", in_db),
        ("top 5 of 20, best_travel_times() wall", wall),
        ("all 20 routed (travel_times), in the database", every_db),
    )
    for name, values in rows:
        say(f"{name:<50}{percentile(values, 0.5):>7.2f}ms{percentile(values, 0.95):>7.2f}ms")
    say(
        f"units per window: mean {sum(sizes) / len(sizes):.1f}, routed for the top 5: mean "
        f"{sum(routed) / len(routed):.1f}; statements: mean {sum(statements) / len(statements):.2f}"
        f"; ETAs by road {road:.1%}"
    )
    say(
        f"in the database p50 {percentile(in_db, 0.5):.1f} ms (target ≤ {TARGET_DB_P50_MS:.0f}), "
        f"p95 {percentile(in_db, 0.95):.1f} ms (target ≤ {TARGET_DB_P95_MS:.0f})"
    )  # fmt: skip


def bench_api(matters: list[int], token: str, seconds: float) -> None:
    paths = [f"/api/incidents/{pk}/candidates?limit=5" for pk in matters]
    port = free_port()
    server = serve(port)
    try:
        measure_get(port, token, paths, 1, 2)  # warm-up: imports, connections, PostGIS
        run = measure_get(port, token, paths, 1, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    say("\n== GET /api/incidents/{id}/candidates?limit=5 by road: gunicorn, 2 sync workers ==")
    say(
        f"1 client: {len(run.latencies):,} requests, p50 {run.percentile(0.5) * 1000:.1f} ms, "
        f"p95 {run.percentile(0.95) * 1000:.1f} ms (target ≤ {TARGET_API_P95_MS:.0f}), "
        f"{run.failures} not 200{': ' + run.first_failure if run.first_failure else ''}"
    )


def bench_candidates(args, user, token: str) -> None:
    """Bench responders and routed matters (bench/dispatching/setup.py), measured, removed."""
    bench = Bench()
    try:
        say("Setting up:")
        make_responders(args.responders)
        make_matters(bench, args.points, user)
        matters = list(Incident.objects.filter(pk__in=bench.matters).only("location", "category"))
        bench_ranking(matters)
        if not args.skip_api:
            bench_api(bench.matters, token, args.seconds)
    finally:
        remove_all(bench)
