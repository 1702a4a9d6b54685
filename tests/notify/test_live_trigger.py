"""The trigger of notify/0002_live_trigger: NOTIFY on commit of a site notification, never on
rollback, and nothing for the group and SMS channels (docs/notifications/live.md)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import transaction

from accounts.choices import Role
from notify.choices import Channel, Event
from notify.live import CHANNEL, listen_params
from notify.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listener():
    """A second database connection that LISTENs on the trigger's channel, as the server does."""
    with psycopg.connect(**listen_params(), autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        yield conn


def heard(conn, seconds: float = 1.0) -> list[str]:
    """The payloads that arrived within ``seconds``."""
    return [n.payload for n in conn.notifies(timeout=seconds) if n.channel == CHANNEL]


def site_notification(user, key: str = "offer:1", channel: str = Channel.SITE) -> Notification:
    return Notification.objects.create(
        event=Event.OFFER,
        event_key=key,
        recipient=user,
        channel=channel,
        title="新的派遣",
        text="请接收事项",
    )


def test_a_committed_site_notification_is_announced_with_its_user_and_id(listener, make_user):
    user = make_user("unit-member", Role.RESPONDER)
    with transaction.atomic():
        row = site_notification(user)
        assert heard(listener, 0.3) == []  # not before the commit
    assert heard(listener) == [f"{user.pk}:{row.pk}"]


def test_a_rolled_back_notification_is_never_announced(listener, make_user):
    user = make_user("unit-member", Role.RESPONDER)

    def assign_and_fail() -> None:
        with transaction.atomic():
            site_notification(user)
            raise RuntimeError("the assignment failed")

    with pytest.raises(RuntimeError):
        assign_and_fail()
    assert Notification.objects.count() == 0
    assert heard(listener) == []


def test_only_the_site_channel_is_announced(listener, make_user):
    user = make_user("unit-member", Role.RESPONDER)
    site_notification(user, channel=Channel.SMS)
    assert heard(listener, 0.5) == []
    row = site_notification(user, key="offer:2")
    assert heard(listener) == [f"{user.pk}:{row.pk}"]
