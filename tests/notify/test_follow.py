"""The delivery worker follows the outbox: woken at commit by the triggers of notify/0005, never
by a rolled-back event or an in-site row, and awake again when a retry falls due."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from django.db import connection, transaction

from notify.choices import Channel, Event, Status
from notify.follow import CHANNEL, follow_outbox
from notify.live import listen_params
from notify.models import Notification
from notify.outbox import Message, announce
from notify.services import retry
from tests.fakes.receiver import WECOM_PATH

pytestmark = pytest.mark.django_db(transaction=True)

COUNTY = "621122000000"


@contextlib.contextmanager
def listening() -> Iterator[Callable[[], int]]:
    """LISTEN as the worker does; the callable counts the wake-ups received so far."""
    received = 0
    with psycopg.connect(**listen_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")

        def count() -> int:
            nonlocal received
            received += len(list(listener.notifies(timeout=0.3)))
            return received

        yield count


def tell(*, centers=(), recipients=(), key: str = "test:1") -> None:
    announce(
        event=Event.TEST,
        event_key=key,
        message=Message("标题", "正文"),
        centers=centers,
        recipients=recipients,
    )


def test_an_external_row_wakes_the_worker_once_at_commit(network, people, settings):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"
    with listening() as wakeups:
        with transaction.atomic():
            tell(centers=[network[COUNTY]], key="test:1")
            tell(centers=[network[COUNTY]], key="test:2")
            assert wakeups() == 0  # nothing before the commit

        assert wakeups() == 1  # two rows, one wake-up


def test_site_rows_and_rolled_back_rows_wake_nobody(network, people, settings):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/cgi-bin/webhook/send?key=k"
    with listening() as wakeups:
        with transaction.atomic():
            tell(recipients=[people["village"]])
        with contextlib.suppress(RuntimeError), transaction.atomic():
            tell(centers=[network[COUNTY]], key="test:rolled-back")
            raise RuntimeError

        assert wakeups() == 0
    assert not Notification.objects.filter(channel=Channel.WECOM).exists()


def test_sending_a_failed_row_again_wakes_the_worker(network, people):
    row = Notification.objects.create(
        event=Event.TEST,
        event_key="test:failed",
        center=network[COUNTY],
        channel=Channel.WECOM,
        title="t",
        text="x",
        status=Status.FAILED,
    )
    with listening() as wakeups:
        retry(user=people["admin"], notification_id=row.pk)

        assert wakeups() == 1


def follow_in_thread(seconds: float, stop: threading.Event | None = None) -> threading.Thread:
    def run() -> None:
        try:
            follow_outbox(seconds=seconds, should_stop=(stop or threading.Event()).is_set)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # LISTEN in place and the first look at the outbox done
    return thread


def wait_for(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``check()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, "not within the time allowed"
        time.sleep(0.01)
    return time.monotonic() - started


def test_following_sends_a_committed_event_at_once_and_a_retry_when_it_falls_due(
    network, settings, fake_receiver
):
    settings.NOTIFY_WECOM_WEBHOOK = fake_receiver.url(f"{WECOM_PATH}?key=follow")
    settings.NOTIFY_RETRY_BASE_SECONDS = 1
    thread = follow_in_thread(seconds=6)

    with transaction.atomic():
        tell(centers=[network[COUNTY]], key="test:now")
    took = wait_for(lambda: len(fake_receiver.delivered(WECOM_PATH)) == 1, 2)

    fake_receiver.configure(fail_rate=1.0)
    with transaction.atomic():
        tell(centers=[network[COUNTY]], key="test:later")
    wait_for(lambda: len(fake_receiver.messages(WECOM_PATH)) == 2, 2)  # refused once
    fake_receiver.configure(fail_rate=0.0)
    # No new event: the follower wakes for the retry's back-off (1 s) on its own.
    wait_for(lambda: len(fake_receiver.delivered(WECOM_PATH)) == 2, 3)
    thread.join()

    assert took < 1
    assert Notification.objects.filter(channel=Channel.WECOM, status=Status.SENT).count() == 2


def test_a_stop_request_ends_the_follow_within_a_second(network):
    stop = threading.Event()
    thread = follow_in_thread(seconds=30, stop=stop)

    stop.set()
    started = time.monotonic()
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert time.monotonic() - started < 1.5
