"""Delivering the outbox: site rows, failures, retries with back-off, two workers at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import transaction
from django.utils import timezone

from notify.channels import ADAPTERS, DeliveryError
from notify.choices import Channel, Event, Status
from notify.delivery import backoff, deliver_due
from notify.models import Notification
from notify.outbox import Message, announce


def pending(center, channel: str = Channel.WECOM, key: str = "test:1", **fields) -> Notification:
    return Notification.objects.create(
        event=Event.TEST,
        event_key=key,
        center=center,
        channel=channel,
        title="t",
        text="x",
        **fields,
    )


class Receiver:
    """Stands in for an external gateway: records each uid, fails the first ``failures`` calls."""

    def __init__(self, failures: int = 0, retryable: bool = True) -> None:
        self.failures, self.retryable = failures, retryable
        self.received: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, notification: Notification) -> None:
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                raise DeliveryError("HTTP 502 from the gateway", retryable=self.retryable)
            self.received.append(str(notification.uid))


@pytest.fixture
def wecom(monkeypatch):
    """Register a recording receiver as the WeCom adapter for one test."""

    def install(receiver: Receiver) -> Receiver:
        monkeypatch.setitem(ADAPTERS, Channel.WECOM, receiver)
        return receiver

    return install


@pytest.mark.django_db
def test_a_group_row_without_an_adapter_fails_for_good(network, monkeypatch):
    monkeypatch.delitem(ADAPTERS, Channel.DINGTALK, raising=False)
    row = pending(network["621122100001"], Channel.DINGTALK)

    report = deliver_due()

    row.refresh_from_db()
    assert (report.failed, row.status, row.attempts) == (1, Status.FAILED, 1)
    assert "No adapter" in row.last_error


@pytest.mark.django_db
def test_site_rows_left_pending_are_marked_sent(people):
    with transaction.atomic():
        announce(
            event=Event.TEST, event_key="k", message=Message("t", "x"), recipients=[people["admin"]]
        )
    Notification.objects.update(status=Status.PENDING, sent_at=None)

    assert deliver_due().sent == 1
    assert Notification.objects.get().status == Status.SENT


@pytest.mark.django_db
def test_a_failing_send_is_retried_with_back_off_then_sent(network, wecom):
    receiver = wecom(Receiver(failures=1))
    row = pending(network["621122100001"])
    now = timezone.now()

    first = deliver_due(now=now)
    row.refresh_from_db()
    assert (first.retried, row.status, row.attempts) == (1, Status.PENDING, 1)
    assert row.next_attempt_at >= now + backoff(1)
    assert row.last_error == "HTTP 502 from the gateway"
    assert deliver_due(now=now).handled == 0  # not due yet

    second = deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (second.sent, row.status, row.attempts) == (1, Status.SENT, 2)
    assert receiver.received == [str(row.uid)]


@pytest.mark.django_db
def test_after_the_last_attempt_a_row_is_failed(network, wecom, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    wecom(Receiver(failures=5))
    row = pending(network["621122100001"])
    later = timezone.now() + dt.timedelta(days=1)

    deliver_due()
    deliver_due(now=later)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)


@pytest.mark.django_db
def test_a_refused_message_is_not_retried(network, wecom):
    wecom(Receiver(failures=1, retryable=False))
    row = pending(network["621122100001"])

    deliver_due()

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)


def test_back_off_doubles_up_to_an_hour(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 5
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(30) == dt.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_every_row_exactly_once(network, wecom):
    from tests.threads import run_at_once

    receiver = wecom(Receiver(failures=0))
    center = network["621122100001"]
    Notification.objects.bulk_create(
        Notification(
            event=Event.TEST,
            event_key=f"test:{i}",
            center=center,
            channel=Channel.WECOM,
            title="t",
            text="x",
        )
        for i in range(120)
    )

    run_at_once([lambda: deliver_due(batch=10), lambda: deliver_due(batch=10)])

    assert len(receiver.received) == 120
    assert len(set(receiver.received)) == 120
    assert Notification.objects.filter(status=Status.SENT).count() == 120
