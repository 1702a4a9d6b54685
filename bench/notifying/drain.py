"""D. Draining 10,000 pending notifications with the receiver failing some calls."""

from __future__ import annotations

import argparse
import subprocess
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.dispatch import (
    say,
)
from bench.notifying.common import (
    DRAIN_KEY,
    PYTHON,
    ROOT,
    TARGET_DRAIN_S,
    Processes,
    receiver_call,
    start_receiver,
    start_worker,
)
from bench.notifying.latency import remove_unit
from gridmap.models import Area

# --- D. draining 10,000 pending notifications ---------------------------------------------------

INSERT_PENDING = """
INSERT INTO notify_notification (uid, event, event_key, center_id, channel, title, text, link,
    urgent, status, attempts, last_error, created_at, next_attempt_at)
SELECT gen_random_uuid(), 'test', %(key)s || n, %(center)s, 'wecom', '通知基准 ' || n,
    'bench/notify.py: synthetic notification, deleted after the run.', '', false, 'pending', 0,
    '', now(), now()
FROM generate_series(1, %(count)s) n
"""
DRAIN_STATE = """
SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent'),
       count(*) FILTER (WHERE status = 'failed'),
       min(next_attempt_at) FILTER (WHERE status = 'pending')
FROM notify_notification WHERE event_key LIKE %(like)s
"""


def drain_state() -> tuple[int, int, int, object]:
    with connection.cursor() as cursor:
        cursor.execute(DRAIN_STATE, {"like": f"{DRAIN_KEY}%"})
        return cursor.fetchone()


def insert_pending(count: int) -> float:
    """The rows in one transaction (the commit wakes a following worker); commit time."""
    county = Area.objects.get(level="county", valid_to__isnull=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_PENDING, {"key": DRAIN_KEY, "center": county.pk, "count": count})
    return time.time()


def drain_by_command(procs: Processes, deadline: float) -> None:
    """manage.py deliver_notifications again and again, waiting for the next retry between runs."""
    while time.monotonic() < deadline:
        subprocess.run(
            [PYTHON, "manage.py", "deliver_notifications", "--limit", "100000", "-v", "0"],
            cwd=ROOT,
            env=procs.env,
            check=True,
            capture_output=True,
        )
        pending, _sent, _failed, due = drain_state()
        if not pending:
            return
        time.sleep(max(0.0, min(1.0, (due - timezone.now()).total_seconds())))


def wait_drained(deadline: float, count: int) -> float:
    """Until none is pending; when 99 % of them were no longer pending (the retries' tail)."""
    most = 0.0
    while time.monotonic() < deadline and (pending := drain_state()[0]):
        if not most and pending <= count // 100:
            most = time.time()
        time.sleep(0.1)
    return most or time.time()


def bench_drain(args: argparse.Namespace, procs: Processes) -> None:
    by = "command" if args.drain_with == "command" else "worker"
    say(
        f"\n== D. {args.pending:,} pending WeCom notifications drained by the {by}, the receiver "
        f"failing {args.fail_rate:.0%} of calls; NOTIFY_RETRY_BASE_SECONDS={args.retry_base:g}, "
        f"NOTIFY_DELIVERY_THREADS={procs.env['NOTIFY_DELIVERY_THREADS']}, "
        f"NOTIFY_MAX_ATTEMPTS={settings.NOTIFY_MAX_ATTEMPTS} (the worker's environment) =="
    )
    start_receiver(procs)
    receiver_call("/_control", {"fail_rate": args.fail_rate})
    remove_unit()
    try:
        if by == "worker" and not any(n == "worker" for n, _p, _l in procs.started):
            start_worker(procs, args.worker_cmd)
        committed = insert_pending(args.pending)
        deadline = time.monotonic() + args.drain_timeout
        most = 0.0
        if by == "worker":
            most = wait_drained(deadline, args.pending) - committed
        else:
            drain_by_command(procs, deadline)
        report_drain(time.time() - committed, most)
    finally:
        receiver_call("/_control", {"fail_rate": 0})
        remove_unit()


def report_drain(elapsed: float, most: float) -> None:
    pending, sent, failed, _due = drain_state()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uid::text FROM notify_notification WHERE event_key LIKE %s", [f"{DRAIN_KEY}%"]
        )
        ours = {uid for (uid,) in cursor.fetchall()}
        cursor.execute(
            "SELECT attempts, count(*) FROM notify_notification WHERE event_key LIKE %s "
            "GROUP BY 1 ORDER BY 1",
            [f"{DRAIN_KEY}%"],
        )
        attempts = ", ".join(f"{a}: {n:,}" for a, n in cursor.fetchall())
    calls = [r for r in receiver_call("/_received") if r.get("uid") in ours]
    accepted = [r["uid"] for r in calls if r["accepted"]]
    distinct = len(set(accepted))
    state = (
        "all sent"
        if not pending and not failed
        else f"{pending:,} still pending, {failed:,} failed"
    )
    say(
        f"time from commit until none pending: {elapsed:.1f} s ({state}; target ≤ "
        f"{TARGET_DRAIN_S:g} s), {sent / max(elapsed, 1e-9):,.0f} sent/s"
        + (f"; 99 % done after {most:.1f} s" if most else "")
    )
    say(
        f"rows: {sent:,} sent, {failed:,} failed, {pending:,} pending; attempts per row: {attempts}"
    )
    say(
        f"receiver: {len(calls):,} calls, {len(calls) - len(accepted):,} answered with a failure, "
        f"{len(accepted):,} accepted; distinct ids accepted {distinct:,} of {len(ours):,} "
        f"(must be all), repeats {len(accepted) - distinct:,} (must be 0)"
    )
