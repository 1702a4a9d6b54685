"""Delivering the outbox: claim due rows, send them, record what happened.

Rows are claimed in batches with ``SELECT … FOR UPDATE SKIP LOCKED`` and kept locked while they
are sent, so two workers never take the same row; a worker killed mid-batch releases its rows
(its transaction dies with it) and the next run sends them again. A batch is as large as the
thread pool (NOTIFY_DELIVERY_THREADS): its sends run at once and its outcomes are committed
together, so a ``kill -9`` can repeat at most the rows in flight, never more than that many. The
message carries its ``uid`` so a gateway can drop such a repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from notify.channels import DeliveryError, send
from notify.channels.targets import prefetch_center_channels
from notify.choices import Channel, Status
from notify.models import Notification

log = logging.getLogger(__name__)

MAX_ERROR = 1000


@dataclass
class DeliveryReport:
    """What one run did: rows sent, rescheduled for a retry, failed for good."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: doubling from NOTIFY_RETRY_BASE_SECONDS, ≤ 1 h."""
    base = float(getattr(settings, "NOTIFY_RETRY_BASE_SECONDS", 5))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def delivery_threads() -> int:
    """Sends at once (NOTIFY_DELIVERY_THREADS): also the most a killed worker can repeat."""
    return max(int(getattr(settings, "NOTIFY_DELIVERY_THREADS", 8)), 1)


def deliver_due(
    *,
    limit: int = 10_000,
    now: dt.datetime | None = None,
    batch: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send up to ``limit`` due pending notifications; what happened to them.

    ``now`` fixes the clock (tests); by default each batch reads it afresh, so a retry that fell
    due during a long run is taken in the same run. ``batch`` defaults to the number of threads:
    the rows in flight between two commits, which a ``kill -9`` may send twice. ``should_stop``
    (the worker stopping) is asked between batches: the batch being sent is always recorded.
    """
    report = DeliveryReport()
    threads = delivery_threads()
    batch = batch or threads
    # One thread configured: every send runs inline, on this thread's database connection.
    pool = ThreadPoolExecutor(threads, thread_name_prefix="notify") if threads > 1 else None
    try:
        while report.handled < limit:
            size = min(batch, limit - report.handled)
            done = _deliver_batch(pool, size, now or timezone.now(), report)
            if done < size or (should_stop is not None and should_stop()):
                break
    finally:
        if pool is not None:
            pool.shutdown()
    return report


def _deliver_batch(
    pool: ThreadPoolExecutor | None, size: int, now: dt.datetime, report: DeliveryReport
) -> int:
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:size]
        )
        if not rows:
            return 0
        external = [row for row in rows if row.channel != Channel.SITE]
        prefetch_center_channels(external)
        if pool is not None and len(external) > 1:
            outcomes = list(pool.map(_send_in_thread, external))
        else:
            outcomes = [_send(row) for row in external]
        errors = dict(zip((row.pk for row in external), outcomes, strict=True))
        stamp = timezone.now()
        for row in rows:
            _record(row, errors.get(row.pk), stamp, report)
        _save_outcomes(rows)
    return len(rows)


def _save_outcomes(rows: list[Notification]) -> None:
    """One UPDATE … FROM (VALUES …) for the batch: bulk_update's CASE per column costs more
    than the sends themselves at a batch per few milliseconds."""
    one = "(%s, %s, %s, %s, %s::timestamptz, %s::timestamptz)"
    fields = ("pk", "status", "attempts", "last_error", "next_attempt_at", "sent_at")
    values = [getattr(row, name) for row in rows for name in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notify_notification AS n SET status = v.status, attempts = v.attempts, "
            "last_error = v.last_error, next_attempt_at = v.next_attempt_at, sent_at = v.sent_at "
            f"FROM (VALUES {', '.join([one] * len(rows))}) "
            "AS v(id, status, attempts, last_error, next_attempt_at, sent_at) WHERE n.id = v.id",
            values,
        )


def _send(row: Notification) -> DeliveryError | None:
    try:
        send(row)
    except DeliveryError as error:
        return error
    return None


def _send_in_thread(row: Notification) -> DeliveryError | None:
    # A pool thread has its own database connection (if an adapter uses one): keep it healthy.
    try:
        return _send(row)
    finally:
        close_old_connections()


def _record(
    row: Notification, error: DeliveryError | None, at: dt.datetime, report: DeliveryReport
) -> None:
    """Apply one outcome to the locked row (saved by the caller with the batch)."""
    if row.channel != Channel.SITE:
        row.attempts += 1
    if error is None:
        row.status, row.sent_at = Status.SENT, at
        report.sent += 1
        return
    row.last_error = str(error)[:MAX_ERROR]
    if error.retryable and row.attempts < max_attempts():
        row.next_attempt_at = at + backoff(row.attempts)
        report.retried += 1
    else:
        row.status = Status.FAILED
        report.failed += 1
    # The row's id and channel only: the error text may quote a gateway's answer, never logged.
    log.info("notification %s on %s not delivered (attempt %s)", row.pk, row.channel, row.attempts)
