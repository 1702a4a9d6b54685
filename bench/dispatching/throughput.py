"""bench/dispatch.py 3: dispatch throughput, assign() against hand-written SQL."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.dispatching.setup import (
    DISPATCHERS,
    DOUBLE_DISPATCHES,
    LIVE,
    PASSED_OVER,
    SEED,
    TARGET_RATIO,
    Bench,
    say,
    undo_dispatch,
)
from volunteers.models import stale_before
from volunteers.services import DispatchError, assign

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
# The rules of "nearest available": the unit is idle (status available, issue 20), serves the
# matter's area (its home area is the matter's grid or one of the grid's ancestors, as stored
# with the matter) and was not offered this matter before. The home test as a list of ids, which
# the planner estimates from the column's statistics, keeps the KNN index scan (a LIKE on a
# per-row subquery is estimated at 0.5 % and turns the plan into "all units with the skill,
# then sort").
RAW_NEAREST = f"""
WITH c AS MATERIALIZED (SELECT r.id, r.position <-> {RAW_POINT} AS d {RAW_DISPATCHABLE}
      AND r.status = 'available' AND r.home_area_id = ANY(%(homes)s)
      AND NOT EXISTS (SELECT 1 FROM volunteers_assignment x
                      WHERE x.incident_id = %(incident)s AND x.responder_id = r.id
                        AND x.state = ANY(%(passed_over)s))
    ORDER BY r.position <-> {RAW_POINT}
    LIMIT %(window)s
)
SELECT r.id, ST_Distance(r.position::geography, {RAW_POINT}::geography)
FROM volunteers_responder r JOIN c USING (id)
WHERE r.load < r.capacity AND r.status = 'available'
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
