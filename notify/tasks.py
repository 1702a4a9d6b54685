"""Delivering the outbox by the job runner, within milliseconds of the event.

``deliver_notifications`` runs every minute and stays for most of it (NOTIFY_FOLLOW_SECONDS):
it sends what is due, then follows the outbox (``notify.follow``). The triggers of
``notify/0005_delivery_wakeup`` NOTIFY at commit when an external row is written or put back in
the queue, and the job wakes at once; it also wakes for the earliest retry that falls due. The
event's own transaction does no extra work (no job to queue, no lock to wait for), and a rolled-
back event sends no NOTIFY. A queueing lock keeps at most one run waiting; a worker that was down
or killed starts following again at its next minute. docs/notifications/jobs.md.
"""

from __future__ import annotations

import threading

from django.conf import settings
from procrastinate import JobContext, RetryStrategy
from procrastinate.contrib.django import app

from notify.follow import follow_outbox

# A run fails only when the database does (a send's failure is the row's, retried by its own
# back-off): retried after 2, 4, 8, 16 and 32 s, then failed and shown in the jobs admin.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
# One delivery run at a time in a worker process: the rows in flight (sent but not yet recorded,
# what a kill -9 may repeat) stay within one batch, NOTIFY_DELIVERY_THREADS rows.
_one_run = threading.Lock()


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(queueing_lock="notify.deliver", pass_context=True, retry=RETRY)
def deliver_notifications(context: JobContext, timestamp: int) -> int:
    """Send due notifications and follow the outbox for NOTIFY_FOLLOW_SECONDS; how many sent."""
    if not _one_run.acquire(blocking=False):
        return 0  # this process follows the outbox already (a run that overlaps the minute)
    try:
        report = follow_outbox(
            seconds=settings.NOTIFY_FOLLOW_SECONDS, should_stop=context.should_abort
        )
    finally:
        _one_run.release()
    return report.sent
