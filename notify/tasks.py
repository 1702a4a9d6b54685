"""Delivering the outbox by the job runner, within milliseconds of the event.

``deliver_notifications`` runs every minute and stays until just after the next minute's run has
started (that run waits for it, so someone always follows): it sends what is due, then follows the
outbox (``notify.follow``). The triggers of
``notify/0005_delivery_wakeup`` NOTIFY at commit when an external row is written or put back in
the queue, and the job wakes at once; it also wakes for the earliest retry that falls due. The
event's own transaction does no extra work (no job to queue, no lock to wait for), and a rolled-
back event sends no NOTIFY. A queueing lock keeps at most one run waiting; a worker that was down
or killed starts following again at its next minute. docs/notifications/jobs.md.
"""

from __future__ import annotations

import threading
import time

from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from notify.follow import follow_outbox

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


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(queueing_lock="notify.deliver", pass_context=True, retry=RETRY)
def deliver_notifications(context: JobContext, timestamp: int) -> int:
    """Send due notifications and follow the outbox until just past the next tick; how many sent.

    A run for an old tick (a worker that was down, a job run again after a kill) makes one pass.
    """
    global _following_until
    until = timestamp + TICK_SECONDS + OVERLAP_SECONDS
    if until <= _following_until:
        return 0  # the run following the outbox in this process covers this run's time
    # The next tick's run waits here for the one before, so the outbox is never left unwatched;
    # a run for a past tick does not wait: the run that holds the lock covers it.
    wait = until - time.time()
    taken = _one_run.acquire(timeout=wait) if wait > 0 else _one_run.acquire(blocking=False)
    if not taken:
        return 0
    try:
        _following_until = until
        report = follow_outbox(
            seconds=max(until - time.time(), 0.0), should_stop=context.should_abort
        )
    finally:
        _one_run.release()
    return report.sent
