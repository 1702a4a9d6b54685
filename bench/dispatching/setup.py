"""bench/dispatch.py's set-up and clean-up: synthetic units and matters, undone after the run."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from bench.intake import TRIGGER, clean_up
from bench.locate import sample_points
from incidents.intake import IntakeRequest
from incidents.models import Category, Incident
from incidents.services import assess, route, take_in
from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState

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


def next_event_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM incidents_incidentevent")
        return cursor.fetchone()[0]
