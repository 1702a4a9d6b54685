"""Benchmark: candidates and "nearest available" dispatch among 100,000 responders. Prints figures.

Setup: 100,000 synthetic responders inserted by SQL at random points of the demo county (fresh
positions, available, capacity 1–3, home area the county, their township or their village, 1–3
skills each), then ANALYZE; and bench matters (--points, 1,000) at random points, taken in,
assessed and routed through incidents.services as the demo county dispatcher, so they are real
routed matters he may assign.

1. Candidate query in the database: the KNN query volunteers.queries.candidates() sends for each
   bench matter (captured as it runs, then re-run under EXPLAIN ANALYZE): execution and planning
   time, p50/p95, and rows; next to candidates() itself in-process (both queries and the ranking).
2. GET /api/incidents/{id}/candidates?limit=5 served as in production (gunicorn, 2 sync workers,
   persistent connections) with the demo dispatcher's token: 1 client, then 8 concurrent clients.
3. Dispatch throughput: 16 threads, each with its own connection, calling
   volunteers.services.assign(responder_id=None) ("nearest available") on the bench matters for
   --seconds; then, from the same starting state, 16 threads with plain psycopg connections doing
   the same work by hand in one transaction each (lock the matter, the materialised KNN CTE with
   FOR UPDATE OF r SKIP LOCKED, raise the load, insert the assignment and the trail event).
   After each run: double dispatches = responders whose live assignments exceed their capacity or
   differ from their load (must be 0).

Everything the bench made is deleted at the end, also after an error or Ctrl-C (the trail's
append-only trigger is disabled for that one transaction only); demo responders that took bench
matters get their load and status back.

Run: make bench  (or: .venv/bin/python bench/dispatch.py [--responders N] [--points N]
[--seconds S])
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each of the 16 dispatch threads holds a connection for the whole run, as a sync worker process
# does: more than the ASGI server's pool lends (DB_POOL_MAX_SIZE 8; it times out after 10 s).
os.environ.setdefault("DB_POOL", "false")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.tokens import issue_token, revoke_token  # noqa: E402
from bench.intake import TRIGGER, Run, clean_up, demo_dispatcher  # noqa: E402
from bench.locate import free_port, sample_points, serve  # noqa: E402
from gridmap.models import Area  # noqa: E402
from incidents.intake import IntakeRequest  # noqa: E402
from incidents.models import Category, Incident  # noqa: E402
from incidents.services import assess, route, take_in  # noqa: E402
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState  # noqa: E402
from volunteers.models import stale_before  # noqa: E402
from volunteers.queries import candidates  # noqa: E402
from volunteers.services import DispatchError, assign  # noqa: E402

TARGET_DB_MS = 1.0
TARGET_API_P95_MS = 20.0
TARGET_RATIO = 0.5
API_CLIENTS = (1, 8)
DISPATCHERS = 16
SEED = 621122
# Bench rows are found by these marks only, so the clean-up never touches the demo's own.
NAME_PREFIX = "bench-dispatch-"
MARK = "bench/dispatch.py: synthetic matter, deleted after the run."
LIVE = [str(state) for state in LIVE_ASSIGNMENT_STATES]
PASSED_OVER = [*LIVE, AssignmentState.DECLINED.value, AssignmentState.EXPIRED.value]

BENCH_RESPONDERS = (
    f"SELECT id FROM volunteers_responder WHERE synthetic AND name LIKE '{NAME_PREFIX}%%'"
)

# Random points in the county; the home area is the county (10 %), the point's township (45 %)
# or its village (45 %), so "nearest available" has to honour jurisdiction.
INSERT_RESPONDERS = f"""
WITH county AS (SELECT id, boundary FROM gridmap_area WHERE level = 'county' AND valid_to IS NULL),
p AS (
    SELECT row_number() OVER () AS n, d.geom
    FROM county, ST_Dump(ST_GeneratePoints(county.boundary, %(count)s, %(seed)s)) d
)
INSERT INTO volunteers_responder (name, kind, capacity, load, status, position, position_at,
    position_accuracy_m, travel_mode, phone, active, synthetic, home_area_id)
SELECT '{NAME_PREFIX}' || p.n,
    (ARRAY['mediator', 'counsellor', 'lawyer', 'squad', 'committee'])[1 + floor(random() * 5)::int],
    1 + floor(random() * 3)::int, 0, 'available', p.geom,
    now() - random() * interval '10 minutes', 10,
    (ARRAY['walk', 'bike', 'car'])[1 + floor(random() * 3)::int], '', true, true,
    CASE WHEN v.id IS NULL OR p.u < 0.10 THEN county.id
         WHEN p.u < 0.55 THEN v.parent_id ELSE v.id END
FROM (SELECT p.*, random() AS u FROM p) p
CROSS JOIN county
LEFT JOIN LATERAL (
    SELECT a.id, a.parent_id FROM gridmap_area a
    WHERE a.level = 'village' AND a.valid_to IS NULL AND ST_Intersects(a.boundary, p.geom)
    LIMIT 1
) v ON true
"""
INSERT_SKILLS = f"""
INSERT INTO volunteers_responder_skills (responder_id, category_id)
SELECT r.id, c.ids[1 + floor(random() * array_length(c.ids, 1))::int]
FROM ({BENCH_RESPONDERS}) r, generate_series(1, 3) k,
     (SELECT array_agg(id) AS ids FROM incidents_category WHERE active) c
WHERE k = 1 OR random() < 0.5
ON CONFLICT DO NOTHING
"""

# Responders of the run whose live assignments exceed their capacity or differ from their load.
DOUBLE_DISPATCHES = """
SELECT r.id, r.capacity, r.load, count(a.id) AS live
FROM volunteers_responder r
LEFT JOIN volunteers_assignment a ON a.responder_id = r.id AND a.state = ANY(%(live)s)
WHERE r.id IN (SELECT responder_id FROM volunteers_assignment WHERE incident_id = ANY(%(ids)s))
GROUP BY r.id
HAVING count(a.id) > r.capacity OR count(a.id) <> r.load
"""

# --- the hand-written baseline ------------------------------------------------------------------
# Written out here rather than built from volunteers.queries: the baseline is what the database
# must do, so it stays fixed while the service's SQL changes. The matter's point is a constant
# (a parameter) in ORDER BY, which is what lets the GiST index return rows nearest first.
RAW_POINT = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
RAW_DISPATCHABLE = """
    FROM volunteers_responder r
    WHERE r.active AND r.status <> 'off_duty' AND r.load < r.capacity
      AND r.position IS NOT NULL AND r.position_at >= %(fresh)s
      AND %(category)s = ANY(r.skill_ids)
"""
RAW_CANDIDATES = f"""
WITH w AS MATERIALIZED (SELECT r.id, r.position {RAW_DISPATCHABLE}
    ORDER BY r.position <-> {RAW_POINT} LIMIT %(window)s)
SELECT w.id, ST_Distance(w.position::geography, {RAW_POINT}::geography) FROM w
"""
RAW_LOCK_MATTER = """
SELECT state, ST_X(location), ST_Y(location), category_id,
       ARRAY[grid_id, village_id, township_id, county_id]
FROM incidents_incident
WHERE id = %(incident)s
FOR UPDATE
"""
# The rules of "nearest available": the unit serves the matter's area (its home area is the
# matter's grid or one of the grid's ancestors, as stored with the matter) and was not offered
# this matter before. The home test as a list of ids, which the planner estimates from the
# column's statistics, keeps the KNN index scan (a LIKE on a per-row subquery is estimated at
# 0.5 % and turns the plan into "all units with the skill, then sort").
RAW_NEAREST = f"""
WITH c AS MATERIALIZED (SELECT r.id, r.position <-> {RAW_POINT} AS d {RAW_DISPATCHABLE}
      AND r.home_area_id = ANY(%(homes)s)
      AND NOT EXISTS (SELECT 1 FROM volunteers_assignment x
                      WHERE x.incident_id = %(incident)s AND x.responder_id = r.id
                        AND x.state = ANY(%(passed_over)s))
    ORDER BY r.position <-> {RAW_POINT}
    LIMIT %(window)s
)
SELECT r.id, ST_Distance(r.position::geography, {RAW_POINT}::geography)
FROM volunteers_responder r JOIN c USING (id)
WHERE r.load < r.capacity AND r.status <> 'off_duty'
ORDER BY c.d
LIMIT 1
FOR UPDATE OF r SKIP LOCKED
"""
RAW_TAKE = """
UPDATE volunteers_responder
SET load = load + 1, status = CASE WHEN status = 'available' THEN 'offered' ELSE status END
WHERE id = %(responder)s
"""
RAW_ASSIGNMENT = """
INSERT INTO volunteers_assignment (incident_id, responder_id, state, assigned_by_id, distance_m,
    override_reason, offered_at, updated_at, decline_reason, outcome_note)
VALUES (%(incident)s, %(responder)s, 'offered', %(actor)s, %(distance)s, '', now(), now(), '', '')
RETURNING id
"""
RAW_EVENT = """
INSERT INTO incidents_incidentevent (incident_id, actor_id, kind, action, from_state, to_state,
    note, at, data)
VALUES (%(incident)s, %(actor)s, 'assignment', 'assign', %(state)s, %(state)s, '', now(),
    jsonb_build_object('responder', %(responder)s::bigint, 'assignment', %(assignment)s::bigint,
                       'distance_m', %(distance)s::float8))
"""
RAW_WINDOWS = (8, 32, 128)


def say(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


# --- setup and clean-up ---------------------------------------------------------------------------


@dataclass
class Bench:
    """What the bench made and must remove."""

    matters: list[int] = field(default_factory=list)
    uids: list[str] = field(default_factory=list)
    # Demo (non-bench) responders' load and status before the run, restored after each run.
    demo_units: dict[int, tuple[int, str]] = field(default_factory=dict)
    first_event: int = 0


def make_responders(count: int) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.621122])
        cursor.execute(INSERT_RESPONDERS, {"count": count, "seed": SEED})
        cursor.execute(INSERT_SKILLS)
        cursor.execute("ANALYZE volunteers_responder")
        cursor.execute("ANALYZE volunteers_responder_skills")
        cursor.execute(
            "SELECT a.level, count(*) FROM volunteers_responder r JOIN gridmap_area a "
            f"ON a.id = r.home_area_id WHERE r.id IN ({BENCH_RESPONDERS}) GROUP BY 1 ORDER BY 1"
        )
        homes = ", ".join(f"{level} {n:,}" for level, n in cursor.fetchall())
        cursor.execute(
            "SELECT count(*)::float / count(DISTINCT responder_id) FROM "
            f"volunteers_responder_skills WHERE responder_id IN ({BENCH_RESPONDERS})"
        )
        skills = cursor.fetchone()[0]
    say(
        f"  {count:,} responders in {time.perf_counter() - started:.1f} s "
        f"(home areas: {homes}; {skills:.2f} skills each)"
    )


def make_matters(bench: Bench, count: int, user) -> None:
    """Real routed matters: take_in, assess, route as the county dispatcher."""
    categories = list(Category.objects.filter(active=True).values_list("code", flat=True))
    rng = random.Random(SEED)
    started = time.perf_counter()
    for index, (lon, lat) in enumerate(sample_points(count, seed=SEED + 1), start=1):
        request = IntakeRequest(
            category=rng.choice(categories),
            tier="ordinary",
            title=f"调度基准 {index}",
            description=MARK,
            points=[(lon, lat)],
        )
        incident = take_in(request=request, reporter=user).incident
        bench.uids.append(str(incident.uid))
        bench.matters.append(incident.pk)
        assess(incident_id=incident.pk, actor=user)
        route(incident_id=incident.pk, actor=user)
        if index % 250 == 0 or index == count:
            say(f"  {index:,}/{count:,} matters routed ({time.perf_counter() - started:.0f} s)")


def snapshot_demo_units(bench: Bench) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, load, status FROM volunteers_responder "
            f"WHERE id NOT IN ({BENCH_RESPONDERS})"
        )
        bench.demo_units = {pk: (load, status) for pk, load, status in cursor.fetchall()}


def undo_dispatch(bench: Bench) -> None:
    """Back to the state before any assignment: one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM volunteers_assignment WHERE incident_id = ANY(%s) "
            f"OR responder_id IN ({BENCH_RESPONDERS})",
            [bench.matters],
        )
        # The trail refuses DELETE by a trigger; these events belong to the bench's matters.
        cursor.execute(f"ALTER TABLE incidents_incidentevent DISABLE TRIGGER {TRIGGER}")
        cursor.execute(
            "DELETE FROM incidents_incidentevent WHERE incident_id = ANY(%s) AND id >= %s",
            [bench.matters, bench.first_event],
        )
        cursor.execute(f"ALTER TABLE incidents_incidentevent ENABLE TRIGGER {TRIGGER}")
        cursor.execute(
            "UPDATE volunteers_responder SET load = 0, status = 'available' "
            f"WHERE id IN ({BENCH_RESPONDERS}) AND (load <> 0 OR status <> 'available')"
        )
        if bench.demo_units:
            ids, loads, statuses = zip(
                *((pk, load, status) for pk, (load, status) in bench.demo_units.items()),
                strict=True,
            )
            cursor.execute(
                "UPDATE volunteers_responder r SET load = d.load, status = d.status "
                "FROM unnest(%s::bigint[], %s::int[], %s::text[]) AS d(id, load, status) "
                "WHERE r.id = d.id AND (r.load <> d.load OR r.status <> d.status)",
                [list(ids), list(loads), list(statuses)],
            )


def remove_leftovers() -> None:
    """An interrupted earlier run's rows (found by their marks), so the figures start clean."""
    leftover = Bench(
        matters=list(Incident.objects.filter(description=MARK).values_list("pk", flat=True)),
        uids=[
            str(u) for u in Incident.objects.filter(description=MARK).values_list("uid", flat=True)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({BENCH_RESPONDERS}) r")
        responders = cursor.fetchone()[0]
    if leftover.matters or responders:
        say(f"Removing {len(leftover.matters):,} matters and {responders:,} responders left over")
        remove_all(leftover)


def remove_all(bench: Bench) -> None:
    undo_dispatch(bench)
    matters = clean_up(bench.uids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM volunteers_responder_skills WHERE responder_id IN ({BENCH_RESPONDERS})"
        )
        cursor.execute(f"DELETE FROM volunteers_responder WHERE id IN ({BENCH_RESPONDERS})")
        responders = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE volunteers_responder")
        cursor.execute("VACUUM ANALYZE volunteers_responder_skills")
    say(
        f"Deleted the bench's {matters:,} matters (with their trail) and {responders:,} responders."
    )


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


# --- 3. dispatch throughput -----------------------------------------------------------------------


@dataclass
class Tally:
    """What one dispatch run's threads did."""

    done: int = 0
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str, detail: str = "") -> None:
        with self.lock:
            if outcome == "done":
                self.done += 1
            else:
                getattr(self, outcome)[detail[:70]] += 1


def run_threads(
    matters: list[int], seconds: float, connect: Callable[[], object], one: Callable
) -> Tally:
    """DISPATCHERS threads, each on its own connection and its own share of the matters."""
    tally = Tally()
    shares = [matters[i::DISPATCHERS] for i in range(DISPATCHERS)]
    stop = {"at": 0.0}

    def start_clock() -> None:
        # Run by one thread once every connection is open, before any is released.
        stop["at"] = time.monotonic() + seconds
        stop["started"] = time.perf_counter()

    barrier = threading.Barrier(DISPATCHERS, action=start_clock)

    def worker(share: list[int]) -> None:
        handle = connect()
        barrier.wait()
        index = 0
        try:
            while time.monotonic() < stop["at"]:
                one(handle, share[index % len(share)], tally)
                index += 1
        finally:
            handle.close()

    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - stop["started"]
    return tally


def service_connect() -> object:
    connection.ensure_connection()
    return connection


def service_one(actor) -> Callable:
    def one(_handle, incident_id: int, tally: Tally) -> None:
        try:
            assign(incident_id=incident_id, actor=actor)
        except DispatchError as error:
            tally.count("refused", str(error))
        except Exception as error:  # counted and shown: the figures must say what went wrong
            tally.count("errors", f"{type(error).__name__}: {error}")
        else:
            tally.count("done")

    return one


def raw_connect() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        # Planned on every execution, as Django's statements are (no server-side prepare).
        prepare_threshold=None,
    )


def raw_dispatch(conn: psycopg.Connection, incident_id: int, actor_id: int) -> str:
    """One "nearest available" by hand; '' when done, else why not."""
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(RAW_LOCK_MATTER, {"incident": incident_id})
        state, lon, lat, category, homes = cursor.fetchone()
        if state not in ("routed", "in_progress"):
            return f"matter is {state}"
        params = {
            "incident": incident_id,
            "lon": lon,
            "lat": lat,
            "fresh": stale_before(),
            "category": category,
            "homes": homes,
            "passed_over": PASSED_OVER,
        }
        for window in RAW_WINDOWS:
            cursor.execute(RAW_NEAREST, {**params, "window": window})
            row = cursor.fetchone()
            if row is not None:
                break
        else:
            return "no unit free"
        step = {"incident": incident_id, "responder": row[0], "distance": row[1], "actor": actor_id}
        cursor.execute(RAW_TAKE, step)
        cursor.execute(RAW_ASSIGNMENT, step)
        step["assignment"] = cursor.fetchone()[0]
        cursor.execute(RAW_EVENT, {**step, "state": state})
    return ""


def raw_one(actor_id: int) -> Callable:
    def one(conn: psycopg.Connection, incident_id: int, tally: Tally) -> None:
        try:
            why = raw_dispatch(conn, incident_id, actor_id)
        except psycopg.Error as error:
            tally.count("errors", f"{type(error).__name__}: {error}")
        else:
            tally.count("refused" if why else "done", why)

    return one


def double_dispatches(bench: Bench) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(DOUBLE_DISPATCHES, {"live": LIVE, "ids": bench.matters})
        return cursor.fetchall()


def queries_per_assign(bench: Bench, actor) -> list[str]:
    """The statements of one assign(), without BEGIN and COMMIT (as the raw path's 5 are)."""
    with CaptureQueriesContext(connection) as queries:
        assign(incident_id=bench.matters[0], actor=actor)
    undo_dispatch(bench)
    sql = [q["sql"] for q in queries.captured_queries]
    return [s for s in sql if s.strip().upper() not in ("BEGIN", "COMMIT")]


def bench_dispatch(bench: Bench, user, seconds: float) -> None:
    statements = queries_per_assign(bench, user)
    order = list(bench.matters)
    random.Random(SEED).shuffle(order)
    rows = []
    for name, connect, one in (
        ("service assign()", service_connect, service_one(user)),
        ("raw SQL (psycopg)", raw_connect, raw_one(user.pk)),
    ):
        say(f"  {name}: {DISPATCHERS} threads for {seconds:g} s …")
        tally = run_threads(order, seconds, connect, one)
        doubles = double_dispatches(bench)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(DISTINCT responder_id) FROM volunteers_assignment "
                "WHERE incident_id = ANY(%s)",
                [bench.matters],
            )
            stored, units = cursor.fetchone()
        rows.append((name, tally, doubles, stored, units))
        undo_dispatch(bench)

    say(
        f'\n== Dispatch "nearest available", {DISPATCHERS} concurrent clients, '
        f"{seconds:g} s each =="
    )
    say(
        f"{'path':<20}{'assigned':>9}{'tx/s':>8}{'refused':>9}{'errors':>8}{'stored':>8}{'units':>8}{'double':>8}"
    )
    for name, tally, doubles, stored, units in rows:
        say(
            f"{name:<20}{tally.done:>9}{tally.done / tally.seconds:>8.1f}"
            f"{sum(tally.refused.values()):>9}{sum(tally.errors.values()):>8}{stored:>8}"
            f"{units:>8}{len(doubles):>8}"
        )
    for name, tally, doubles, _stored, _units in rows:
        for reason, n in (tally.refused + tally.errors).most_common(3):
            say(f"  {name}: {n} × {reason}")
        for row in doubles[:5]:
            say(
                f"  {name}: DOUBLE DISPATCH responder {row[0]}: capacity {row[1]}, "
                f"load {row[2]}, live assignments {row[3]}"
            )
    service, raw = rows[0][1], rows[1][1]
    ratio = (service.done / service.seconds) / max(raw.done / raw.seconds, 1e-9)
    say(
        f"service/raw {ratio:.2f} (target ≥ {TARGET_RATIO}); double dispatches "
        f"{len(rows[0][2]) + len(rows[1][2])} (must be 0); SQL statements per assignment: "
        f"service {len(statements)}, raw 5 (when the first KNN window has a free unit)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--responders", type=int, default=100_000, help="bench responders (100,000)"
    )
    parser.add_argument("--points", type=int, default=1000, help="bench matters (1,000)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each run (10)")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    grids = Area.objects.filter(level="grid", valid_to__isnull=True).count()
    if grids == 0:
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    user = demo_dispatcher()
    token, key = issue_token(user=user, user_agent="bench/dispatch.py")
    say(
        f"Demo county: {grids:,} grid cells; {os.cpu_count()} CPU cores (load average "
        f"{os.getloadavg()[0]:.1f} before the run); signed in as {user.username}"
    )
    remove_leftovers()
    bench = Bench()
    try:
        snapshot_demo_units(bench)
        say("Setting up:")
        make_responders(args.responders)
        make_matters(bench, args.points, user)
        bench.first_event = next_event_id()
        bench_db(bench)
        if not args.skip_api:
            bench_api(bench, key, args.seconds)
        bench_dispatch(bench, user, args.seconds)
    finally:
        remove_all(bench)
        revoke_token(token=token)
    say(f"Load average after the run: {os.getloadavg()[0]:.1f}")


def next_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM incidents_incidentevent")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
