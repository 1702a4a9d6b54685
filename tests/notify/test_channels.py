"""The WeCom and DingTalk adapters against the fake receiver: real HTTP on 127.0.0.1, no mocks."""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import unquote

import pytest

from notify.channels import DeliveryError, send
from notify.channels.checks import channel_settings
from notify.channels.dingtalk import signed_url
from notify.choices import Channel, Event
from notify.models import CenterChannel, Notification
from tests.fakes.receiver import DINGTALK_PATH, WECOM_PATH, dingtalk_sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_channel_defaults")]

TOWNSHIP = "621122100000"
OTHER_TOWNSHIP = "621122101000"
WECOM_KEY = "wecom-key-3f9a1c77d2"
DING_TOKEN = "ding-token-88b1e0c4aa"
DING_SECRET = "SECding-secret-51d2e9f0"


def group_notification(area, channel: str, **fields) -> Notification:
    """A pending notification to ``area``'s center group on ``channel``."""
    values = {
        "event": Event.OFFER,
        "event_key": f"offer:{uuid.uuid4()}",
        "center": area,
        "channel": channel,
        "title": "派遣：事项 2026-000123",
        "text": "甲镇1村 邻里纠纷，请尽快处置。",
        "link": "/incidents/123/",
    }
    values.update(fields)
    return Notification.objects.create(**values)


def wecom_url(receiver, key: str = WECOM_KEY) -> str:
    return receiver.url(f"{WECOM_PATH}?key={key}")


def ding_url(receiver, token: str = DING_TOKEN) -> str:
    return receiver.url(f"{DINGTALK_PATH}?access_token={token}")


def failure(notification: Notification) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send(notification)
    return caught.value


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def one_shot_server(reply: Callable[[bytes], bytes]) -> Iterator[int]:
    """A raw HTTP server on 127.0.0.1 answering one request with ``reply(request)``."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.sendall(reply(conn.recv(65536)))

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        yield server.getsockname()[1]
        thread.join(2)


def test_wecom_posts_markdown_with_the_matter_and_an_absolute_link(
    network, fake_receiver, settings
):
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)
    notification = group_notification(network[TOWNSHIP], Channel.WECOM)

    send(notification)

    (got,) = fake_receiver.delivered(WECOM_PATH)
    assert got.query == {"key": WECOM_KEY}
    assert got.uid == str(notification.uid)
    assert got.headers["Content-Type"] == "application/json"
    assert got.body["msgtype"] == "markdown"
    content = got.body["markdown"]["content"]
    assert "事项 2026-000123" in content
    assert "https://grid.example.cn/incidents/123/" in content


def test_wecom_urgent_message_is_text_mentioning_everyone(network, fake_receiver, settings):
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)

    send(group_notification(network[TOWNSHIP], Channel.WECOM, urgent=True))

    (got,) = fake_receiver.delivered(WECOM_PATH)
    assert got.body["msgtype"] == "text"
    assert got.body["text"]["mentioned_list"] == ["@all"]
    assert "事项 2026-000123" in got.body["text"]["content"]


def test_dingtalk_request_is_signed_and_the_fake_verifies_the_signature(
    network, fake_receiver, settings
):
    fake_receiver.configure(dingtalk_secret=DING_SECRET)
    settings.NOTIFY_DINGTALK_WEBHOOK = ding_url(fake_receiver)
    settings.NOTIFY_DINGTALK_SECRET = DING_SECRET
    notification = group_notification(network[TOWNSHIP], Channel.DINGTALK)

    send(notification)

    (got,) = fake_receiver.delivered(DINGTALK_PATH)
    assert got.query["access_token"] == DING_TOKEN
    assert got.query["sign"] == dingtalk_sign(DING_SECRET, got.query["timestamp"])
    assert got.uid == str(notification.uid)
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "派遣：事项 2026-000123"
    assert "事项 2026-000123" in got.body["markdown"]["text"]
    assert got.body["at"] == {"isAtAll": False}


def test_dingtalk_signed_url_keeps_the_token_and_url_encodes_the_sign():
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC1", 1700000000000)

    base, sign = url.split("&sign=")
    assert base == "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000"
    assert "+" not in sign
    assert "/" not in sign
    assert unquote(sign) == dingtalk_sign("SEC1", "1700000000000")


def test_dingtalk_with_a_wrong_secret_is_refused_for_good(network, fake_receiver, settings):
    fake_receiver.configure(dingtalk_secret=DING_SECRET)
    settings.NOTIFY_DINGTALK_WEBHOOK = ding_url(fake_receiver)
    settings.NOTIFY_DINGTALK_SECRET = "SECwrong-secret-0000"

    error = failure(group_notification(network[TOWNSHIP], Channel.DINGTALK))

    assert not error.retryable
    assert "310000" in str(error)
    assert fake_receiver.delivered() == []


def test_server_error_is_retryable(network, fake_receiver, settings):
    fake_receiver.configure(fail_rate=1.0, fail_status=503)
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert error.retryable
    assert "503" in str(error)


def test_client_error_is_not_retryable(network, fake_receiver, settings):
    fake_receiver.configure(fail_rate=1.0, fail_status=404)
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable


@pytest.mark.parametrize(
    ("channel", "errcode", "retryable"),
    [
        (Channel.WECOM, 93000, False),  # invalid webhook URL
        (Channel.WECOM, 45009, True),  # more than 20 messages a minute
        (Channel.DINGTALK, 300001, False),  # token does not exist
        (Channel.DINGTALK, 130101, True),  # sending too fast
    ],
)
def test_errcode_other_than_zero_fails_and_only_rate_limits_are_retried(
    network, fake_receiver, settings, channel, errcode, retryable
):
    fake_receiver.configure(errcode=errcode)
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)
    settings.NOTIFY_DINGTALK_WEBHOOK = ding_url(fake_receiver)

    error = failure(group_notification(network[TOWNSHIP], channel))

    assert error.retryable is retryable
    assert str(errcode) in str(error)


def test_timeout_is_retryable(network, fake_receiver, settings):
    fake_receiver.configure(delay=1.0)
    settings.NOTIFY_HTTP_TIMEOUT = 0.2
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert error.retryable
    assert "within 0.2 s" in str(error)


def test_connection_refused_is_retryable(network, settings):
    settings.NOTIFY_WECOM_WEBHOOK = f"http://127.0.0.1:{closed_port()}{WECOM_PATH}?key={WECOM_KEY}"

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert error.retryable


def test_redirect_is_not_followed(network, settings):
    def redirect(_request: bytes) -> bytes:
        return (
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/steal\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )

    with one_shot_server(redirect) as port:
        settings.NOTIFY_WECOM_WEBHOOK = f"http://127.0.0.1:{port}/send?key={WECOM_KEY}"
        error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable
    assert "redirect" in str(error)


def test_plain_http_to_another_host_is_refused_unless_allowed(network, settings):
    settings.NOTIFY_WECOM_WEBHOOK = f"http://10.0.0.9/cgi-bin/webhook/send?key={WECOM_KEY}"

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable
    assert "NOTIFY_ALLOW_HTTP" in str(error)
    assert WECOM_KEY not in str(error)


def test_secrets_never_appear_in_errors_or_logs(network, fake_receiver, settings, caplog):
    caplog.set_level(logging.DEBUG)
    fake_receiver.configure(dingtalk_secret="SECthe-real-one")
    settings.NOTIFY_DINGTALK_WEBHOOK = ding_url(fake_receiver)
    settings.NOTIFY_DINGTALK_SECRET = DING_SECRET
    errors = [failure(group_notification(network[TOWNSHIP], Channel.DINGTALK))]
    fake_receiver.configure(fail_rate=1.0)
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)
    errors.append(failure(group_notification(network[TOWNSHIP], Channel.WECOM)))
    settings.NOTIFY_WECOM_WEBHOOK = f"http://127.0.0.1:{closed_port()}{WECOM_PATH}?key={WECOM_KEY}"
    errors.append(failure(group_notification(network[TOWNSHIP], Channel.WECOM)))

    texts = [str(error) for error in errors] + [caplog.text]
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET):
        assert not [text for text in texts if secret in text], secret
    # The errors still say where it went wrong.
    assert all("127.0.0.1" in str(error) for error in errors[1:])


def test_a_gateway_echoing_the_key_is_redacted(network, settings):
    def echo_request_line(request: bytes) -> bytes:
        body = json.dumps({"error": request.split(b"\r\n")[0].decode()}).encode()
        head = (
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        return head.encode() + body

    with one_shot_server(echo_request_line) as port:
        settings.NOTIFY_WECOM_WEBHOOK = f"http://127.0.0.1:{port}/send?key={WECOM_KEY}"
        error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable
    assert "/send?key=***" in str(error)
    assert WECOM_KEY not in str(error)


def test_center_setting_wins_over_the_environment_default(network, fake_receiver, settings):
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver, "county-default-key")
    CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.WECOM, url=wecom_url(fake_receiver, "jiazhen-key")
    )

    send(group_notification(network[TOWNSHIP], Channel.WECOM))
    send(group_notification(network[OTHER_TOWNSHIP], Channel.WECOM))

    keys = [got.query["key"] for got in fake_receiver.delivered(WECOM_PATH)]
    assert keys == ["jiazhen-key", "county-default-key"]


def test_center_signing_secret_is_used_for_its_robot(network, fake_receiver, settings):
    fake_receiver.configure(dingtalk_secret="SECjiazhen")
    settings.NOTIFY_DINGTALK_WEBHOOK = ding_url(fake_receiver)
    settings.NOTIFY_DINGTALK_SECRET = "SECcounty"
    CenterChannel.objects.create(
        area=network[TOWNSHIP],
        kind=Channel.DINGTALK,
        url=ding_url(fake_receiver, "jiazhen-token"),
        secret="SECjiazhen",
    )

    send(group_notification(network[TOWNSHIP], Channel.DINGTALK))

    (got,) = fake_receiver.delivered(DINGTALK_PATH)
    assert got.query["access_token"] == "jiazhen-token"


def test_a_center_that_turned_its_channel_off_gets_nothing(network, fake_receiver, settings):
    settings.NOTIFY_WECOM_WEBHOOK = wecom_url(fake_receiver)
    CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.WECOM, url=wecom_url(fake_receiver), enabled=False
    )

    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable
    assert fake_receiver.messages() == []


def test_no_robot_anywhere_is_a_permanent_failure(network):
    error = failure(group_notification(network[TOWNSHIP], Channel.WECOM))

    assert not error.retryable
    assert "configured" in str(error)


def test_the_site_channel_sends_nothing(network, fake_receiver, make_user):
    user = make_user("resp", jurisdiction=network[TOWNSHIP])
    notification = Notification.objects.create(
        event=Event.OFFER,
        event_key="offer:site",
        recipient=user,
        channel=Channel.SITE,
        title="t",
        text="x",
    )

    send(notification)

    assert fake_receiver.messages() == []


def test_system_check_warns_about_a_default_url_that_would_be_refused(settings):
    settings.NOTIFY_WECOM_WEBHOOK = f"http://10.0.0.9/cgi-bin/webhook/send?key={WECOM_KEY}"
    settings.NOTIFY_CA_BUNDLE = "/nonexistent/ca.pem"

    warnings = channel_settings()

    assert [w.id for w in warnings] == ["notify.W001", "notify.W002"]
    assert WECOM_KEY not in warnings[0].msg
