"""Notifications delivered by a real worker process: within seconds of the event, never for a
rolled-back one, and after a ``kill -9`` in the middle of a delivery every row once (repeats only
among the rows in flight at the kill)."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from accounts.tasks import recover_stalled_jobs
from notify.choices import Channel, Event, Status
from notify.models import Notification
from notify.tasks import deliver_notifications
from tests.jobs.conftest import WECOM_PATH, wait_until
from tests.notify.test_follow import listening
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)

COUNTY = "621122000000"
# The dead worker is the first one of the test (the queue's ids restart at 1 for each test).
OLD_HEARTBEAT = (
    "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '2 minutes' "
    "WHERE id = (SELECT min(id) FROM procrastinate_workers)"
)


class RolledBackError(Exception):
    """Raised inside an event's transaction to roll it back."""


def delivery_jobs() -> list[tuple[str, str | None]]:
    return list(
        ProcrastinateJob.objects.filter(task_name="notify.tasks.deliver_notifications")
        .order_by("id")
        .values_list("status", "queueing_lock")
    )


def test_an_offer_reaches_the_centers_wecom_group_through_the_worker(
    routed, place_responder, people, settings, fake_receiver, start_worker
):
    webhook = fake_receiver.url(f"{WECOM_PATH}?key=test-key")
    settings.NOTIFY_WECOM_WEBHOOK = webhook
    start_worker(NOTIFY_WECOM_WEBHOOK=webhook)
    fake_receiver.reset()  # the routing's own group message, sent by the worker's first run
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])

    committed = time.monotonic()
    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    row = Notification.objects.get(event=Event.OFFER, channel=Channel.WECOM)
    wait_until(lambda: fake_receiver.distinct_ids() >= {str(row.uid)}, 10, "the offer's message")
    took = time.monotonic() - committed
    (message,) = [m for m in fake_receiver.delivered() if m.uid == str(row.uid)]
    assert routed.number in message.body["text"]["content"]
    assert took < 5, f"{took:.1f} s from the commit to the receiver"
    wait_until(lambda: Notification.objects.get(pk=row.pk).status == Status.SENT, 5, "sent")


def test_a_rolled_back_event_wakes_no_worker_and_writes_no_notification(
    routed, place_responder, people, settings, clean_queue
):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"
    before_rows = Notification.objects.count()
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])

    def assign_then_fail() -> None:
        with transaction.atomic():
            assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
            raise RolledBackError

    with listening() as wakeups:
        with pytest.raises(RolledBackError):
            assign_then_fail()

        assert wakeups() == 0  # no NOTIFY for the delivery worker …
    assert Notification.objects.count() == before_rows  # … and no row
    assert not Notification.objects.filter(event=Event.OFFER).exists()
    assert not delivery_jobs()  # events queue no job: the worker is woken by the triggers


def pending_rows(center, count: int) -> list[str]:
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(
            event=Event.TEST,
            event_key=f"kill:{n}",
            center=center,
            channel=Channel.WECOM,
            title="t",
            text=f"message {n}",
            next_attempt_at=now,
        )
        for n in range(count)
    )
    return [str(row.uid) for row in rows]


def pending_uids() -> set[str]:
    rows = Notification.objects.filter(status=Status.PENDING, channel=Channel.WECOM)
    return {str(uid) for uid in rows.values_list("uid", flat=True)}


def queue_delivery() -> None:
    """A delivery run now, as the minute's tick queues it (unless one waits already)."""
    with contextlib.suppress(AlreadyEnqueued):
        deliver_notifications.defer(timestamp=int(time.time()))


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_the_rows_in_flight(
    network, fake_receiver, start_worker, capsys
):
    threads = 4
    environment = {
        "NOTIFY_WECOM_WEBHOOK": fake_receiver.url(f"{WECOM_PATH}?key=test-key"),
        "NOTIFY_DELIVERY_THREADS": str(threads),
    }
    uids = pending_rows(network[COUNTY], 1000)
    fake_receiver.configure(delay=0.01)
    worker = start_worker(**environment)
    queue_delivery()

    wait_until(lambda: len(fake_receiver.messages()) >= 300, 60, "300 messages before the kill")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    time.sleep(0.5)  # requests already on the wire are answered and recorded
    received_before = fake_receiver.distinct_ids()
    still_pending = pending_uids()
    in_flight = received_before & still_pending  # delivered, but the kill beat the commit
    assert len(still_pending) < 1000 - 250  # it was killed in the middle, not before
    assert len(in_flight) <= threads
    assert received_before | still_pending == set(uids)  # nothing recorded sent went unsent

    killed_jobs = set(ProcrastinateJob.objects.filter(status="doing").values_list("id", flat=True))
    start_worker(**environment)
    queue_delivery()
    wait_until(lambda: not pending_uids(), 60, "every row sent after the restart")

    # The killed worker's jobs were left "running" by it. Once its heartbeat is old (a minute;
    # the clock is moved here), the upkeep job takes them back from it: run again by the live
    # worker (a delivery run whose minute the live follower covers ends at once; a later one
    # takes over following), or marked failed when their next run is queued already.
    assert killed_jobs
    dead_worker = ProcrastinateJob.objects.filter(id__in=killed_jobs).values_list(
        "worker_id", flat=True
    )[0]
    with connection.cursor() as cursor:
        cursor.execute(OLD_HEARTBEAT)
    recover_stalled_jobs.defer(timestamp=int(time.time()))
    wait_until(
        lambda: (
            not ProcrastinateJob.objects.filter(
                id__in=killed_jobs, status="doing", worker_id=dead_worker
            ).exists()
        ),
        30,
        "the killed jobs taken back from the dead worker",
    )

    assert fake_receiver.distinct_ids() == set(uids)
    accepted = [m.uid for m in fake_receiver.delivered()]
    repeated = {uid for uid in accepted if accepted.count(uid) > 1}
    assert repeated <= in_flight
    assert fake_receiver.duplicates() == len(repeated) <= threads
    assert Notification.objects.filter(status=Status.SENT, event=Event.TEST).count() == 1000
    with capsys.disabled():
        print(
            f"\nkill -9 mid-delivery: {1000 - len(still_pending)} recorded sent before the kill, "
            f"{len(in_flight)} in flight (received, not recorded), {len(repeated)} received "
            f"twice after the restart; bound {threads}"
        )
