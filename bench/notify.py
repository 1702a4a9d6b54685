"""Benchmark: what notifications cost the dispatch path and how fast they arrive. Prints figures.

Issue 13's performance targets, on the demo county (`make demo` / `make bench` load it):

A. ``dispatch`` — bench/dispatch.py (16 threads of assign() against the same work in raw SQL) run
   from this checkout, where assign() writes the outbox, and from a detached checkout of the
   commit before notifications were wired into assign() (--before; e27e16e, main just before the
   merge of the notify outbox 5322074), against the same database (the schemas differ only by
   tables the old code does not touch). Both with DB_POOL=false: the dispatch bench's threads
   each hold a connection, more than the pool lends. Here the WeCom default points at the fake
   receiver, so each offer also writes the center's group row and queues its delivery job, as a
   county with a robot configured does (--no-group-channel: site rows only). Prints both
   service/raw ratios (target ≥ 0.5), double dispatches (must be 0) and the outbox's added
   milliseconds per assignment: 1000/tx_s(after) − 1000/tx_s(before) of the service path.
B. ``latency`` — the commit of an assignment to the unit member's live feed: the ASGI server as
   scripts/serve.sh runs it (uvicorn, 2 workers) and one open /notifications/stream/ of a bench
   responder's account; an assignment (assign() naming the bench unit) every --interval seconds
   on bench matters (bench/dispatch.py's make_matters); commit time (assign() returned) to the
   stream's event with that notification's id. p50/p95 (target p95 ≤ 5 s).
C. same run — the commit to the fake WeCom receiver getting the center's group message (matched
   by its X-Pingan-Notification uid), delivered by the job worker (--worker-cmd, default
   ``manage.py procrastinate worker``), whose delivery job is woken by the database at commit
   (notify/0005's NOTIFY). p50/p95 (≤ 5 s).
   Also assign()'s wall time and the part of it spent in volunteers.announcements.announce_offer.
D. ``drain`` — --pending (10,000) pending WeCom notifications of the county center inserted in
   one transaction (their commit wakes the worker, as an event's does); the receiver fails 20 % of
   calls (POST /_control {"fail_rate": 0.2}); time until none is pending, and from the receiver's
   record: distinct notification ids accepted (must be all) and repeats (accepted more than once).
   Retries back off from NOTIFY_RETRY_BASE_SECONDS (--retry-base, printed). --drain-with command
   runs ``manage.py deliver_notifications`` in a loop instead of the worker.

Everything the bench makes is deleted at the end, also after an error or Ctrl-C; processes it
started are stopped. The fake receiver is tests/fakes/receiver.py, run as a process.

Run: make bench  (or: .venv/bin/python bench/notify.py [--only dispatch|latency|drain]
[--assignments 50] [--pending 10000] …; --help for all)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import free_port  # noqa: E402

# The fake robot's address must be in the settings before Django reads them: announce() writes a
# group row only for a center that has a channel. Other defaults are cleared so that each offer
# makes exactly one external row.
RECEIVER_PORT = free_port()
WECOM_URL = f"http://127.0.0.1:{RECEIVER_PORT}/cgi-bin/webhook/send?key=bench"
os.environ.update(
    NOTIFY_WECOM_WEBHOOK=WECOM_URL,
    NOTIFY_DINGTALK_WEBHOOK="",
    NOTIFY_SMS_URL="",
    NOTIFY_SITE_URL="",
)

import django  # noqa: E402

django.setup()


from bench.dispatch import say  # noqa: E402
from bench.notifying.assign_cost import bench_assign_cost  # noqa: E402
from bench.notifying.common import BEFORE_COMMIT, WORKER_CMD, Processes, child_env  # noqa: E402
from bench.notifying.drain import bench_drain  # noqa: E402
from bench.notifying.latency import bench_latency  # noqa: E402
from gridmap.models import Area  # noqa: E402

# --- main ---------------------------------------------------------------------------------------

SECTIONS = ("dispatch", "latency", "drain")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run this section (repeatable); all by default",
    )
    add("--worker-cmd", default=WORKER_CMD, help=f"the job worker (default: {WORKER_CMD})")
    add(
        "--retry-base",
        type=float,
        default=0.25,
        help="NOTIFY_RETRY_BASE_SECONDS for the worker (0.25)",
    )
    group = parser.add_argument_group("A. dispatch")
    group.add_argument(
        "--before", default=BEFORE_COMMIT, help=f"commit without the outbox ({BEFORE_COMMIT})"
    )
    group.add_argument(
        "--before-dir", default="/tmp/bench-before", help="its checkout (made if missing)"
    )
    group.add_argument("--responders", type=int, default=100_000, help="bench responders (100,000)")
    group.add_argument("--points", type=int, default=300, help="bench matters (300)")
    group.add_argument("--seconds", type=float, default=5, help="per path and run (5)")
    group.add_argument("--rounds", type=int, default=1, help="before/after pairs (1)")
    group.add_argument(
        "--no-group-channel",
        dest="group_channel",
        action="store_false",
        help="after: no WeCom default, site rows only",
    )
    group = parser.add_argument_group("B, C. latency")
    group.add_argument("--assignments", type=int, default=50, help="measured assignments (50)")
    group.add_argument("--warmup", type=int, default=3, help="assignments not measured (3)")
    group.add_argument("--interval", type=float, default=0.2, help="seconds between them (0.2)")
    group.add_argument("--no-worker", action="store_true", help="no worker: C is not measured")
    group = parser.add_argument_group("D. drain")
    group.add_argument("--pending", type=int, default=10_000, help="notifications (10,000)")
    group.add_argument("--fail-rate", type=float, default=0.2, help="receiver failures (0.2)")
    group.add_argument("--threads", type=int, help="NOTIFY_DELIVERY_THREADS for the worker")
    group.add_argument("--drain-with", choices=("worker", "command"), default="worker")
    group.add_argument("--drain-timeout", type=float, default=300, help="give up after (300 s)")
    return parser.parse_args()  # fmt: skip


def main() -> None:
    args = parse_args()
    sections = args.only or list(SECTIONS)
    if not Area.objects.filter(level="grid", valid_to__isnull=True).exists():
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    say(
        f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} before the run; "
        f"fake WeCom robot {WECOM_URL}; worker: {args.worker_cmd}"
    )
    procs = Processes(env=child_env(args))
    try:
        if "dispatch" in sections:
            bench_assign_cost(args)
        if "latency" in sections:
            bench_latency(args, procs)
        if "drain" in sections:
            bench_drain(args, procs)
    finally:
        procs.stop()
    say(f"Load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
