"""Following the outbox: deliver what is due, then sleep until something new is due.

The delivery job (notify.tasks) runs ``follow_outbox`` for most of a minute. It LISTENs on the
channel that the triggers of ``notify/0005_delivery_wakeup`` notify when an external row is
committed or put back in the queue, so a new group message or SMS leaves within milliseconds of
its event's commit while the event's own transaction does no extra work. It also wakes for the
earliest retry that falls due (back-off, the end of a recipient's quiet hours). LISTEN is in
place before each look at the outbox, so a row committed in between is never missed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
from django.db.models import Min
from django.utils import timezone

from notify.choices import Channel, Status
from notify.delivery import DeliveryReport, deliver_due
from notify.live import listen_params
from notify.models import Notification

CHANNEL = "pingan_deliver"  # the triggers' channel (notify/migrations/0005_delivery_wakeup.py)
# How often a quiet listener checks whether it should stop (the worker shutting down): a stopping
# worker waits at most this long for it (plus the batch being sent, if any).
STOP_CHECK_SECONDS = 0.5


def seconds_until_next_due() -> float | None:
    """Seconds until the earliest pending external row falls due (0 if one is due), or None."""
    earliest = (
        Notification.objects.filter(status=Status.PENDING)
        .exclude(channel=Channel.SITE)
        .aggregate(at=Min("next_attempt_at"))["at"]
    )
    if earliest is None:
        return None
    return max((earliest - timezone.now()).total_seconds(), 0.0)


def follow_outbox(
    *, seconds: float, should_stop: Callable[[], bool] = lambda: False, limit: int = 10_000
) -> DeliveryReport:
    """Deliver due notifications as they come for ``seconds``; what was done in all.

    Returns early when ``should_stop()`` says so: checked every STOP_CHECK_SECONDS while idle
    and between two batches while sending (a batch being sent is finished and recorded first).
    """
    total = DeliveryReport()
    deadline = time.monotonic() + seconds
    with psycopg.connect(**listen_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")  # a constant name, not input
        while True:
            report = deliver_due(limit=limit, should_stop=should_stop)
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            if should_stop():
                return total
            if report.handled >= limit:
                continue  # more are due already
            due_in = seconds_until_next_due()
            while not should_stop():
                left = deadline - time.monotonic()
                if left <= 0:
                    return total
                wait = min(left, STOP_CHECK_SECONDS, due_in if due_in is not None else left)
                woken = list(listener.notifies(timeout=wait, stop_after=1))
                if woken:
                    break
                if due_in is not None:
                    due_in -= wait
                    if due_in <= 0:
                        break
            else:
                return total
