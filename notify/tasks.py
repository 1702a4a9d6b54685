"""Delivering the outbox by the job runner, within milliseconds of the event.

``deliver_notifications`` runs every minute and stays until just after the next minute's run has
started (that run waits for it, so someone always follows): it sends what is due, then follows the
outbox (``notify.follow``). The triggers of
``notify/0005_delivery_wakeup`` NOTIFY at commit when an external row is written or put back in
the queue, and the job wakes at once; it also wakes for the earliest retry that falls due. The
event's own transaction does no extra work (no job to queue, no lock to wait for), and a rolled-
back event sends no NOTIFY. A queueing lock keeps at most one run waiting; a worker that was down
or killed starts following again at its next minute. When the worker is asked to stop (TERM,
Ctrl-C), a run ends within a second or two: it has nothing of its own to finish, so it does not
hold the worker for JOBS_SHUTDOWN_TIMEOUT_S. docs/notifications/jobs.md.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable

from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from notify.follow import STOP_CHECK_SECONDS, follow_outbox

# A run fails only when the database does (a send's failure is the row's, retried by its own
# back-off): retried after 2, 4, 8, 16 and 32 s, then failed and shown in the jobs admin.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
# One delivery run at a time in a worker process: the rows in flight (sent but not yet recorded,
# what a kill -9 may repeat) stay within one batch, NOTIFY_DELIVERY_THREADS rows.
_one_run = threading.Lock()
# Until when (epoch seconds) the run holding _one_run follows the outbox.
_following_until = 0.0
TICK_SECONDS = 60
# A run follows this long past the next tick, so that the next run is waiting when it ends.
OVERLAP_SECONDS = 3

# Whether the worker running this job has been asked to stop (set for the job's thread by
# _stop_with_worker below; outside a worker, never).
_worker_stopping: contextvars.ContextVar[Callable[[], bool]] = contextvars.ContextVar(
    "worker_stopping", default=lambda: False
)


def _stop_with_worker(call_next: Callable[[], object], context: JobContext, worker) -> object:
    """Task middleware: let the run see that its worker is stopping.

    Procrastinate 3.10 tells a running sync job nothing when its worker is asked to stop: it
    waits ``shutdown_graceful_timeout`` (JOBS_SHUTDOWN_TIMEOUT_S, kept for the other jobs) and
    only then makes ``context.should_abort()`` true. The worker's stop request is its
    ``_stop_event`` (worker.py: set by ``Worker.stop()`` from the TERM/INT handler); the middleware,
    which runs in the job's own thread, hands a reader of it to the run.
    tests/jobs/test_worker_stop.py fails if a Procrastinate upgrade changes that.
    """
    stop_event = getattr(worker, "_stop_event", None)
    if stop_event is None:
        return call_next()
    token = _worker_stopping.set(stop_event.is_set)  # a bool read: safe from this thread
    try:
        return call_next()
    finally:
        _worker_stopping.reset(token)


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(
    queueing_lock="notify.deliver",
    pass_context=True,
    retry=RETRY,
    task_middleware=[_stop_with_worker],
)
def deliver_notifications(context: JobContext, timestamp: int) -> int:
    """Send due notifications and follow the outbox until just past the next tick; how many sent.

    A run for an old tick (a worker that was down, a job run again after a kill) makes one pass.
    A run whose worker is stopping ends after the batch it is sending (recorded, never cut off).
    """
    global _following_until
    worker_stopping = _worker_stopping.get()

    def should_stop() -> bool:
        return worker_stopping() or context.should_abort()

    until = timestamp + TICK_SECONDS + OVERLAP_SECONDS
    if until <= _following_until:
        return 0  # the run following the outbox in this process covers this run's time
    # The next tick's run waits here for the one before, so the outbox is never left unwatched;
    # a run for a past tick does not wait: the run that holds the lock covers it. The wait is
    # cut in slices so that a stopping worker is not held by a run that never started.
    taken = _one_run.acquire(blocking=False)
    while not taken and not should_stop() and time.time() < until:
        taken = _one_run.acquire(timeout=min(STOP_CHECK_SECONDS, max(until - time.time(), 0.0)))
    if not taken:
        return 0
    try:
        if should_stop():
            return 0
        _following_until = until
        report = follow_outbox(seconds=max(until - time.time(), 0.0), should_stop=should_stop)
    finally:
        _one_run.release()
    return report.sent
