"""Fixtures for notifications (the incidents and dispatch ones: tests/fixtures/), a mailbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notify.choices import Channel
from notify.models import Notification
from tests.fakes.receiver import FakeReceiver


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Like the incidents tests: photos in a throw-away directory, fast hashing, the categories."""


@pytest.fixture(autouse=True)
def no_environment_channels(settings):
    """No group webhooks or SMS gateway unless a test sets one."""
    settings.NOTIFY_WECOM_WEBHOOK = ""
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    settings.NOTIFY_SMS_URL = ""


def site_inbox(user, event: str | None = None):
    """The user's site notifications (of ``event``), oldest first."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.SITE)
    if event:
        rows = rows.filter(event=event)
    return rows.order_by("created_at", "pk")


@pytest.fixture
def fake_receiver() -> Iterator[FakeReceiver]:
    """A running fake WeCom/DingTalk/SMS receiver on a free port of 127.0.0.1."""
    receiver = FakeReceiver(0).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def no_channel_defaults(settings) -> None:
    """Every test states the environment defaults it relies on (none, unless it sets them)."""
    settings.NOTIFY_WECOM_WEBHOOK = ""
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    settings.NOTIFY_DINGTALK_SECRET = ""
    settings.NOTIFY_SMS_URL = ""
    settings.NOTIFY_SMS_PROVIDER = "generic"
    settings.NOTIFY_SMS_KEY_SECRET = ""
    settings.NOTIFY_HTTP_TIMEOUT = 5.0
    settings.NOTIFY_ALLOW_HTTP = False
    settings.NOTIFY_SITE_URL = "https://grid.example.cn"
