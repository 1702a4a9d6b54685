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
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Each of the 16 dispatch threads holds a connection for the whole run, as a sync worker process
# does: more than the ASGI server's pool lends (DB_POOL_MAX_SIZE 8; it times out after 10 s).
os.environ.setdefault("DB_POOL", "false")

import django  # noqa: E402

django.setup()

from accounts.tokens import issue_token, revoke_token  # noqa: E402
from bench.dispatching.candidates import bench_api, bench_db  # noqa: E402
from bench.dispatching.setup import (  # noqa: E402, F401  (bench/notifying imports them from here)
    Bench,
    make_matters,
    make_responders,
    next_event_id,
    percentile,
    remove_all,
    remove_leftovers,
    say,
    snapshot_demo_units,
)
from bench.dispatching.throughput import bench_dispatch  # noqa: E402
from bench.intake import demo_dispatcher  # noqa: E402
from gridmap.models import Area  # noqa: E402


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


if __name__ == "__main__":
    main()
