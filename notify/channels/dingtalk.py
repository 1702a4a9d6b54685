"""DingTalk (钉钉) custom robot: POST JSON to ``…/robot/send?access_token=T``.

With a signing secret (the robot's "加签" setting) every request adds ``&timestamp=MS&sign=S``
where S = urlencode(base64(HMAC-SHA256(secret, f"{MS}\\n{secret}"))) and MS is the time in
milliseconds (DingTalk refuses one older than an hour). Messages are markdown; an urgent one
@-mentions everyone. The robot answers ``{"errcode": 0, "errmsg": "ok"}``; 130101 and 410100
(more than 20 messages a minute) and -1 (busy) may pass later, any other errcode will not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from notify.channels import ADAPTERS
from notify.channels.http import errcode_error, post
from notify.channels.targets import Target, absolute_link, group_target
from notify.choices import Channel
from notify.models import Notification

RETRY_CODES = frozenset({-1, 130101, 410100})
MARKDOWN_CHARS = 5000


def signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk's sign for ``timestamp_ms``: base64 HMAC-SHA256, not yet URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """``url`` with ``timestamp`` and ``sign`` added (unchanged when there is no secret)."""
    if not secret:
        return url
    ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in {"timestamp", "sign"}]
    query_text = urlencode(query)
    extra = f"timestamp={ms}&sign={quote_plus(signature(secret, ms))}"
    query_text = f"{query_text}&{extra}" if query_text else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query_text, ""))


def message(notification: Notification) -> dict[str, Any]:
    """The robot's JSON for ``notification``."""
    text = f"#### {notification.title}\n\n{notification.text}"
    link = absolute_link(notification.link)
    if link:
        text += f"\n\n[{link}]({link})"
    return {
        "msgtype": "markdown",
        "markdown": {"title": notification.title[:60], "text": text[:MARKDOWN_CHARS]},
        "at": {"isAtAll": bool(notification.urgent)},
    }


def deliver(notification: Notification, target: Target) -> None:
    """Posts ``notification`` to the robot at ``target``; raises DeliveryError if it did not go."""
    url = signed_url(target.url, target.secret)
    answer = post(
        url, uid=str(notification.uid), json_body=message(notification), secrets=[target.secret]
    )
    error = errcode_error(answer, service="DingTalk", retry_codes=RETRY_CODES)
    if error is not None:
        raise error


def adapter(notification: Notification) -> None:
    """The registered adapter: the center's robot, else NOTIFY_DINGTALK_WEBHOOK (+ secret)."""
    deliver(notification, group_target(notification))


ADAPTERS[Channel.DINGTALK] = adapter
