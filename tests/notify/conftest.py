"""Fixtures of the notification tests: the fake receiver on 127.0.0.1 and no channel defaults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.receiver import FakeReceiver


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
