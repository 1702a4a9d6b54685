"""bench/routing.py, section "candidates": 20 KNN candidates ranked by road ETA (roads.travel) in
the database, and GET /api/incidents/{id}/candidates at 1 client (as bench/dispatch.py serves
it: gunicorn, 2 sync workers, persistent connections)."""

from __future__ import annotations

import functools
import os
import time
from collections import Counter
from pathlib import Path

from django.db import connection

from bench.dispatching.candidates import measure_get
from bench.dispatching.setup import Bench, make_matters, make_responders, remove_all
from bench.locate import free_port, serve
from bench.routes.common import percentile, say
from incidents.models import Incident
from roads.snapping import clear_cache
from roads.travel import EtaSource, Traveller, best_travel_times, travel_times
from volunteers.models import stale_before
from volunteers.ranking import WINDOW_SQL

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
        cursor.execute(WINDOW_SQL, params)
        rows = cursor.fetchall()
    return [Traveller(pk, x, y, mode, metres) for pk, metres, _home, mode, x, y, *_ in rows]


def backend_cpu_ms() -> float:
    """CPU time (user + system) the database backend of this connection has used: the
    database's own work, whatever the load average (it is a process on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def bench_ranking(matters: list[Incident]) -> None:
    """Each matter's window ranked as candidates(limit=5) ranks it (best_travel_times: only the
    units that can make the five are routed), twice: first with nothing kept (every place new,
    as for a new matter with units that just moved), then again (the places kept, as when the
    console asks again). For each: the statements' time (round trips on the local socket, i.e.
    the database's work, which at a high load average includes waiting for a core), the
    backend's CPU time per ranking, and the call's wall time. Then every unit routed
    (travel_times) for comparison."""
    windows = [(incident, window_of(incident)) for incident in matters]
    windows = [(incident, units) for incident, units in windows if units]
    if not windows:
        say("No matter had candidates: no figures.")
        return
    spent: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    def rank(route) -> tuple[list[float], list[float], float, list[int], list[dict]]:
        in_db, wall, statements, found = [], [], [], []
        cpu_before = backend_cpu_ms()
        for incident, units in windows:
            spent.clear()
            matter = (incident.location.x, incident.location.y)
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                found.append(route(matter, units))
            wall.append((time.perf_counter() - started) * 1000)
            in_db.append(sum(spent) * 1000)
            statements.append(len(spent))
        cpu = (backend_cpu_ms() - cpu_before) / len(windows)
        return in_db, wall, cpu, statements, found

    clear_cache()
    top5 = functools.partial(best_travel_times, limit=5)
    cold = rank(top5)
    warm = rank(top5)
    every = rank(travel_times)
    say(f"\n== Ranking {WINDOW} KNN candidates by road ETA, {len(windows):,} matters ==")
    say(f"{'':<52}{'p50':>9}{'p95':>9}{'CPU':>9}{'stmts':>7}")
    rows = (
        ("top 5 of 20, places new, in the database", cold[0], cold),
        ("top 5 of 20, places new, best_travel_times() wall", cold[1], cold),
        ("top 5 of 20, places kept, in the database", warm[0], warm),
        ("top 5 of 20, places kept, best_travel_times() wall", warm[1], warm),
        ("all 20 routed (travel_times), places kept, in the db", every[0], every),
    )
    for name, values, run in rows:
        say(
            f"{name:<52}{percentile(values, 0.5):>7.2f}ms{percentile(values, 0.95):>7.2f}ms"
            f"{run[2]:>7.2f}ms{sum(run[3]) / len(run[3]):>7.2f}"
        )
    routed = [len(etas) for etas in warm[4]]
    sources = Counter(str(eta.source) for etas in warm[4] for eta in etas.values())
    road = sources[EtaSource.ROAD] / max(1, sum(sources.values()))
    say(
        f"CPU: the database backend's CPU time per ranking. Units routed for the top 5: mean "
        f"{sum(routed) / len(routed):.1f} of {WINDOW}; ETAs by road {road:.1%}"
    )
    say(
        f"in the database p50 {percentile(warm[0], 0.5):.1f} / {percentile(cold[0], 0.5):.1f} ms "
        f"(places kept / new; target ≤ {TARGET_DB_P50_MS:.0f}), p95 "
        f"{percentile(warm[0], 0.95):.1f} / {percentile(cold[0], 0.95):.1f} ms "
        f"(target ≤ {TARGET_DB_P95_MS:.0f}); load average {os.getloadavg()[0]:.1f}"
    )


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
