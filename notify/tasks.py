"""Delivering the outbox by the job runner, within seconds of the event.

``request_delivery()`` runs inside the transaction of the event (``notify.outbox.announce`` calls
it when it wrote an external row): it defers a ``deliver_notifications`` job on the same database
connection, so the job exists exactly when the event does. Procrastinate's Django connector
executes a synchronous defer on Django's own connection (``connections[alias].cursor()``), so the
job row commits or rolls back with the event, and its insert trigger's NOTIFY wakes a listening
worker at commit. A queueing lock keeps at most one such job waiting; an event whose transaction
finds one waiting relies on it, and checks again after its commit in case that job started (and
looked at the outbox) before the event's rows were visible.

The job sends what is due (``notify.delivery.deliver_due``) and then schedules itself for the
earliest row waiting for a retry or the end of a quiet hour. A periodic run every minute is the
safety net (a worker that was down, a job lost with a killed worker). docs/notifications/jobs.md.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from notify.choices import Channel, Status
from notify.delivery import deliver_due
from notify.models import Notification

# The queueing lock of the job deferred by events: at most one of them waits at any time.
DELIVERY_LOCK = "notify.deliver"
# A run fails only when the database does (a send's failure is the row's, retried by its own
# back-off): retried after 2, 4, 8, 16 and 32 s, then failed and shown in the jobs admin.
RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
LIMIT = 10_000
# One delivery run at a time in a worker process: the rows in flight (sent but not yet recorded,
# what a kill -9 may repeat) stay within one batch, NOTIFY_DELIVERY_THREADS rows.
_one_run = threading.Lock()


@app.task(retry=RETRY)
def deliver_notifications() -> int:
    """Send the due notifications, then schedule the next run for the earliest retry; sent."""
    return _run()


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(queueing_lock="notify.deliver_periodic", retry=RETRY)
def deliver_notifications_periodic(timestamp: int) -> int:
    """The safety net: the same run every minute, whatever was deferred or lost."""
    return _run()


def _run() -> int:
    with _one_run:
        report = deliver_due(limit=LIMIT)
    if report.handled >= LIMIT:
        _defer_now()  # more are due: the next run starts at once
    else:
        _schedule_next()
    return report.sent


def _schedule_next() -> None:
    """A job at the earliest future attempt of a pending external row, unless one is due by then."""
    now = timezone.now()
    earliest = (
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__gt=now)
        .exclude(channel=Channel.SITE)
        .aggregate(at=Min("next_attempt_at"))["at"]
    )
    if earliest is None or _job_waiting(by=earliest):
        return
    deliver_notifications.configure(schedule_at=earliest).defer()


def _job_waiting(*, by: dt.datetime | None = None) -> bool:
    """A delivery job waits that will run by ``by`` (now when None)."""
    when = Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=by or timezone.now())
    return (
        ProcrastinateJob.objects.filter(task_name=deliver_notifications.name, status="todo")
        .filter(when)
        .exists()
    )


def _defer_now() -> bool:
    """Defer the immediate delivery job; False when one is waiting already (the queueing lock)."""
    if _job_waiting():
        return False  # a read first: the insert below would wait for an uncommitted twin
    try:
        with transaction.atomic():  # a savepoint: a lost race must not abort the caller's work
            deliver_notifications.configure(queueing_lock=DELIVERY_LOCK).defer()
    except AlreadyEnqueued:
        return False
    return True


def request_delivery() -> None:
    """Make sure a delivery job runs once the current transaction commits (called by announce).

    Deferred in the caller's transaction, once per transaction: a rollback takes the job with
    the event. When a job was already waiting, the check is repeated after the commit.
    """
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("request_delivery() needs a transaction.")
    if any(entry[1] in (_deferred, _check_after_commit) for entry in connection.run_on_commit):
        return  # this transaction has asked already
    # robust: a failure after the commit is logged, never raised into the committed request.
    transaction.on_commit(_deferred if _defer_now() else _check_after_commit, robust=True)


def _deferred() -> None:
    """The transaction's own job carries its rows: nothing left to do after the commit."""


def _check_after_commit() -> None:
    """The job that was waiting may have read the outbox before this commit: if it is no longer
    waiting, defer another (outside any transaction now; if this fails, the every-minute run
    sends the rows)."""
    _defer_now()
