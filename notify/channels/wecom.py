"""WeCom (企业微信) group robot: POST JSON to the robot's webhook URL (``…/send?key=KEY``).

A normal message is markdown (bold title, text, link); an urgent one is a text message that
@-mentions everyone in the group (markdown messages cannot mention). The robot answers
``{"errcode": 0, "errmsg": "ok"}``; 45009 (more than 20 messages a minute) and -1 (busy) may pass
on a later try, any other errcode will not.
"""

from __future__ import annotations

from typing import Any

from notify.channels import ADAPTERS
from notify.channels.http import errcode_error, post
from notify.channels.targets import Target, absolute_link, group_target
from notify.choices import Channel
from notify.models import Notification

RETRY_CODES = frozenset({-1, 45009})
# The robot's limits on content, in bytes of UTF-8: 4,096 for markdown, 2,048 for text.
MARKDOWN_BYTES = 4000
TEXT_BYTES = 2000


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def message(notification: Notification) -> dict[str, Any]:
    """The robot's JSON for ``notification``."""
    link = absolute_link(notification.link)
    if notification.urgent:
        content = f"{notification.title}\n{notification.text}"
        if link:
            content += f"\n{link}"
        return {
            "msgtype": "text",
            "text": {"content": clip(content, TEXT_BYTES), "mentioned_list": ["@all"]},
        }
    content = f"**{notification.title}**\n{notification.text}"
    if link:
        content += f"\n[{link}]({link})"
    return {"msgtype": "markdown", "markdown": {"content": clip(content, MARKDOWN_BYTES)}}


def deliver(notification: Notification, target: Target) -> None:
    """Posts ``notification`` to the robot at ``target``; raises DeliveryError if it did not go."""
    answer = post(
        target.url,
        uid=str(notification.uid),
        json_body=message(notification),
        secrets=[target.secret],
    )
    error = errcode_error(answer, service="WeCom", retry_codes=RETRY_CODES)
    if error is not None:
        raise error


def adapter(notification: Notification) -> None:
    """The registered adapter: the center's robot, else NOTIFY_WECOM_WEBHOOK."""
    deliver(notification, group_target(notification))


ADAPTERS[Channel.WECOM] = adapter
