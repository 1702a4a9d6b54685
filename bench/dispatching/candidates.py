"""bench/dispatch.py 1 and 2: the candidate query in the database, and the candidates API."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

from django.db import connection

from bench.dispatching.setup import (
    API_CLIENTS,
    TARGET_API_P95_MS,
    TARGET_DB_MS,
    Bench,
    percentile,
    say,
)
from bench.dispatching.throughput import RAW_CANDIDATES
from bench.intake import Run
from bench.locate import free_port, serve
from incidents.models import Incident
from volunteers.models import stale_before
from volunteers.queries import candidates

# --- 1. the candidate query in the database -------------------------------------------------------


@dataclass
class Timings:
    """EXPLAIN ANALYZE figures of one query over the bench's matters."""

    execution: list[float] = field(default_factory=list)
    planning: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    by_index: int = 0

    def add(self, sql: str, params: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = (plan if isinstance(plan, list) else json.loads(plan))[0]
        self.execution.append(plan["Execution Time"])
        self.planning.append(plan["Planning Time"])
        self.rows.append(plan["Plan"]["Actual Rows"])
        self.by_index += knn_by_index(plan["Plan"])


def knn_by_index(node: dict) -> bool:
    """Whether an index scan returns rows nearest first (an "Order By" on the scan)."""
    return "Order By" in node or any(knn_by_index(n) for n in node.get("Plans", ()))


def captured_knn(incident: Incident) -> tuple[str, object, int, float]:
    """candidates() run once: the KNN statement it sends, its parameters, units, wall ms."""
    captured: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(capture):
        found = candidates(incident, limit=5)
    elapsed = (time.perf_counter() - started) * 1000
    sql, params = next((s, p) for s, p in captured if "<->" in s)
    return sql, params, len(found), elapsed


def bench_db(bench: Bench) -> None:
    ours, raw, found, in_process = Timings(), Timings(), [], []
    incidents = list(Incident.objects.filter(pk__in=bench.matters))
    for incident in incidents[:5]:  # warm-up: the backend's caches, PostGIS loaded
        Timings().add(*captured_knn(incident)[:2])
    for incident in incidents:
        sql, params, units, elapsed = captured_knn(incident)
        found.append(units)
        in_process.append(elapsed)
        ours.add(sql, params)
        raw.add(
            RAW_CANDIDATES,
            {
                "lon": incident.location.x,
                "lat": incident.location.y,
                "fresh": stale_before(),
                "category": incident.category_id,
                "window": 20,
            },
        )
    say(f"\n== Candidate query in the database, {len(incidents):,} matters, limit 5 ==")
    say(f"{'':<46}{'p50':>9}{'p95':>9}{'rows':>6}  nearest first by the index")
    for name, values, timings in (
        ("candidates() KNN, EXPLAIN ANALYZE execution", ours.execution, ours),
        ("candidates() KNN, planning", ours.planning, None),
        ("candidates() in-process (3 queries + ranking)", in_process, None),
        ("hand-written KNN (point as a constant)", raw.execution, raw),
    ):
        index = f"{timings.by_index} of {len(timings.rows)}" if timings else ""
        rows = f"{sum(timings.rows) / len(timings.rows):.0f}" if timings else ""
        say(
            f"{name:<46}{percentile(values, 0.5):>7.3f}ms{percentile(values, 0.95):>7.3f}ms"
            f"{rows:>6}  {index}"
        )
    say(
        f"candidates returned: mean {sum(found) / len(found):.2f}, fewer than 5 for "
        f"{sum(1 for n in found if n < 5)} matters | candidates() KNN execution p50 "
        f"{percentile(ours.execution, 0.5):.3f} ms (target ≤ {TARGET_DB_MS})"
    )


# --- 2. the candidates API ------------------------------------------------------------------------


def get_loop(port: int, token: str, paths: list[str], run: Run, stop_at: float, start: int) -> None:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    index = start
    while time.monotonic() < stop_at:
        index += 1
        began = time.perf_counter()
        client.request(
            "GET", paths[index % len(paths)], headers={"Authorization": f"Token {token}"}
        )
        response = client.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - began
        with run.lock:
            if response.status == 200:
                run.latencies.append(elapsed)
            else:
                run.failures += 1
                run.first_failure = run.first_failure or f"{response.status} {payload[:300]!r}"
    client.close()


def measure_get(port: int, token: str, paths: list[str], clients: int, seconds: float) -> Run:
    run = Run()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=get_loop, args=(port, token, paths, run, stop_at, i * len(paths) // clients)
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def bench_api(bench: Bench, token: str, seconds: float) -> None:
    paths = [f"/api/incidents/{pk}/candidates?limit=5" for pk in bench.matters]
    port = free_port()
    server = serve(port)
    try:
        measure_get(port, token, paths, 4, 2)  # warm-up: imports, connections, PostGIS
        runs = [
            (clients, measure_get(port, token, paths, clients, seconds)) for clients in API_CLIENTS
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    say("\n== GET /api/incidents/{id}/candidates?limit=5: gunicorn, 2 sync workers ==")
    say(f"{'clients':>8}{'requests':>10}{'req/s':>8}{'p50':>10}{'p95':>10}{'non-200':>9}")
    for clients, run in runs:
        say(
            f"{clients:>8}{len(run.latencies):>10}{len(run.latencies) / run.seconds:>8.1f}"
            f"{run.percentile(0.50) * 1000:>8.1f}ms{run.percentile(0.95) * 1000:>8.1f}ms"
            f"{run.failures:>9}"
        )
    for clients, run in runs:
        if run.first_failure:
            say(f"first failure ({clients} clients): {run.first_failure}")
    # The target is the single client's p95; with 8 clients on 2 sync workers requests queue.
    single = dict(runs)[1].percentile(0.95) * 1000
    say(f"p95 with 1 client {single:.1f} ms (target ≤ {TARGET_API_P95_MS:.0f})")
