"""Delivering the outbox: site rows, failures, retries with back-off, two workers at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from notify.channels import ADAPTERS
from notify.choices import Channel, Event, Status
from notify.delivery import backoff, deliver_due
from notify.models import Notification
from notify.outbox import Message, announce
from tests.fakes.receiver import WECOM_PATH


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


@pytest.fixture
def wecom(fake_receiver, settings):
    """Every center's WeCom robot is the fake receiver (the environment's default webhook)."""
    settings.NOTIFY_WECOM_WEBHOOK = fake_receiver.url(f"{WECOM_PATH}?key=delivery-test")
    settings.NOTIFY_ALLOW_HTTP = False  # 127.0.0.1 is allowed without it
    return fake_receiver


def delivered_uids(receiver) -> list[str]:
    return [message.uid for message in receiver.delivered(WECOM_PATH)]


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
    wecom.configure(fail_rate=1.0, fail_status=502)
    row = pending(network["621122100001"])
    now = timezone.now()

    first = deliver_due(now=now)
    row.refresh_from_db()
    assert (first.retried, row.status, row.attempts) == (1, Status.PENDING, 1)
    assert row.next_attempt_at >= now + backoff(1)
    assert "502" in row.last_error
    assert deliver_due(now=now).handled == 0  # not due yet

    wecom.configure(fail_rate=0.0)
    second = deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (second.sent, row.status, row.attempts) == (1, Status.SENT, 2)
    assert delivered_uids(wecom) == [str(row.uid)]


@pytest.mark.django_db
def test_after_the_last_attempt_a_row_is_failed(network, wecom, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    wecom.configure(fail_rate=1.0)
    row = pending(network["621122100001"])
    later = timezone.now() + dt.timedelta(days=1)

    deliver_due()
    deliver_due(now=later)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert len(wecom.messages(WECOM_PATH)) == 2
    assert not wecom.delivered()


@pytest.mark.django_db
def test_a_refused_message_is_not_retried(network, wecom):
    wecom.configure(errcode=93000)  # the robot's "invalid webhook URL": no later try will pass
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

    assert len(delivered_uids(wecom)) == 120
    assert len(set(delivered_uids(wecom))) == 120
    assert Notification.objects.filter(status=Status.SENT).count() == 120
