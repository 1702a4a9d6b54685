"""Benchmark: routing on the road network (issue 15). Prints figures. Sections:

``candidates`` (bench/routes/candidates.py) — on the county network (the demo's roads when they
are loaded, else a jittered lattice of ~40,000 edges over the county's extent that the bench
builds with roads.services.build_network and deletes after the run): --responders bench units at
random points of the county (bench/dispatching/setup.py: fresh, available, random travel modes
and skills) and --points routed bench matters; for each matter candidates()'s KNN window of 20
ranked by road ETA (roads.travel.travel_times): p50/p95 of its statements in the database
(target p50 ≤ 15 ms, p95 ≤ 30 ms) and of the call in-process; then
GET /api/incidents/{id}/candidates?limit=5 at 1 client for --seconds (target p95 ≤ 40 ms).

``request`` (bench/routes/request.py) — the same API request in the process (Django's test
client) with its statements, the process's and the database's CPU time per request: figures
that compare versions even on a busy machine.

``first-choice`` (bench/routes/first_choice.py) — over the demo's year of dispatched matters, how
often the first choice by road ETA differs from the first choice by straight line, and the
median minutes saved. Runs only on the demo's roads (not on the bench's lattice).

Everything the bench makes is deleted at the end, also after an error or Ctrl-C.

Run: .venv/bin/python bench/routing.py [--only candidates|request|first-choice] [--points 200]
[--responders 2000] [--seconds 10] [--spacing 450] [--sample 0]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from accounts.tokens import issue_token, revoke_token  # noqa: E402
from bench.dispatching.setup import remove_leftovers  # noqa: E402
from bench.intake import demo_dispatcher  # noqa: E402
from bench.routes.candidates import bench_candidates  # noqa: E402
from bench.routes.common import bench_network, remove_network, say  # noqa: E402
from bench.routes.first_choice import bench_first_choice  # noqa: E402
from bench.routes.request import bench_request  # noqa: E402
from gridmap.models import Area  # noqa: E402

SECTIONS = ("candidates", "request", "first-choice")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--only", action="append", choices=SECTIONS, help="this section (repeatable); default all")
    add("--spacing", type=float, default=450, help="the lattice's spacing in metres (450)")
    group = parser.add_argument_group("candidates")
    group.add_argument("--responders", type=int, default=2000, help="bench units (2,000)")
    group.add_argument("--points", type=int, default=200, help="bench matters (200)")
    group.add_argument("--seconds", type=float, default=10, help="API run (10 s)")
    group.add_argument("--skip-api", action="store_true")
    group = parser.add_argument_group("first-choice")
    group.add_argument("--sample", type=int, default=0, help="at most this many matters (0: all)")
    return parser.parse_args()  # fmt: skip


def main() -> None:
    args = parse_args()
    sections = args.only or list(SECTIONS)
    if not Area.objects.filter(level="grid", valid_to__isnull=True).exists():
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    say(f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} before the run")
    network = bench_network(args.spacing)
    try:
        if "candidates" in sections or "request" in sections:
            user = demo_dispatcher()
            token, key = issue_token(user=user, user_agent="bench/routing.py")
            try:
                remove_leftovers()
                if "candidates" in sections:
                    bench_candidates(args, user, key)
                if "request" in sections:
                    bench_request(args, user, key)
            finally:
                revoke_token(token=token)
        if "first-choice" in sections:
            bench_first_choice(args)
    finally:
        remove_network(network)
    say(f"Load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
