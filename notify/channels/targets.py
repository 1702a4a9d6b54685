"""Where an external channel's message goes: the center's own setting, else the environment's.

Group robots (WeCom, DingTalk) post into the group of the notification's ``center``: its enabled
CenterChannel row of that kind, else NOTIFY_WECOM_WEBHOOK / NOTIFY_DINGTALK_WEBHOOK. A center that
has a row but turned it off gets nothing (not the county-wide default). SMS goes to a person:
the gateway of the nearest center above the recipient's jurisdiction that has one, else
NOTIFY_SMS_URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from gridmap.models import Area
from notify.channels import DeliveryError
from notify.choices import Channel
from notify.models import CenterChannel, Notification

# Environment defaults per channel: (URL setting, secret setting).
DEFAULTS = {
    Channel.WECOM: ("NOTIFY_WECOM_WEBHOOK", ""),
    Channel.DINGTALK: ("NOTIFY_DINGTALK_WEBHOOK", "NOTIFY_DINGTALK_SECRET"),
    Channel.SMS: ("NOTIFY_SMS_URL", "NOTIFY_SMS_KEY_SECRET"),
}


@dataclass(frozen=True)
class Target:
    """A configured endpoint: its URL and secret (signing secret or gateway key)."""

    url: str
    secret: str = ""
    source: str = "environment"


def environment_target(kind: str) -> Target | None:
    """The environment's default for ``kind``, or None when it is not set."""
    url_name, secret_name = DEFAULTS[Channel(kind)]
    url = getattr(settings, url_name)
    if not url:
        return None
    return Target(url=url, secret=getattr(settings, secret_name) if secret_name else "")


def row_target(row: CenterChannel) -> Target:
    """The endpoint of one CenterChannel row."""
    return Target(url=row.url, secret=row.secret, source=f"center {row.area_id}")


# The attribute prefetch_center_channels() sets on a batch's rows: {(area id, kind): row}.
PREFETCHED = "_prefetched_center_channels"


def prefetch_center_channels(notifications: list[Notification]) -> None:
    """Read the group channels of a batch's centers in one query, for group_target to use.

    The delivery's send threads then need no database connection (nor a decryption) per message.
    """
    centers = {n.center_id for n in notifications if n.center_id is not None}
    if not centers:
        return
    found = {
        (row.area_id, row.kind): row
        for row in CenterChannel.objects.filter(area_id__in=centers, kind__in=list(DEFAULTS))
    }
    for notification in notifications:
        setattr(notification, PREFETCHED, found)


def group_target(notification: Notification) -> Target:
    """The robot for the notification's center; raises (non-retryable) when there is none."""
    kind = notification.channel
    if notification.center_id is None:
        raise DeliveryError("A group message needs a center.", retryable=False)
    prefetched = getattr(notification, PREFETCHED, None)
    if prefetched is not None:
        row = prefetched.get((notification.center_id, kind))
    else:
        row = CenterChannel.objects.filter(area_id=notification.center_id, kind=kind).first()
    if row is not None:
        if not row.enabled:
            raise DeliveryError("This center has turned the channel off.", retryable=False)
        return row_target(row)
    target = environment_target(kind)
    if target is None:
        raise DeliveryError(
            f"No {Channel(kind).label} is configured for this center.", retryable=False
        )
    return target


def sms_target(notification: Notification) -> Target:
    """The SMS gateway for the recipient: nearest center's row above them, else the default."""
    recipient = notification.recipient
    area_id = getattr(recipient, "jurisdiction_id", None)
    if area_id is not None:
        area = Area.objects.without_shapes().filter(pk=area_id).first()
        if area is not None:
            rows = {
                row.area.code: row
                for row in CenterChannel.objects.filter(
                    kind=Channel.SMS, area__code__in=[area.code, *area.ancestor_codes]
                ).select_related("area")
            }
            for code in [area.code, *reversed(area.ancestor_codes)]:
                row = rows.get(code)
                if row is not None and row.enabled:
                    return row_target(row)
    target = environment_target(Channel.SMS)
    if target is None:
        raise DeliveryError("No SMS gateway is configured.", retryable=False)
    return target


def has_channel(area: Area, kind: str) -> bool:
    """Whether a group message of ``kind`` to ``area``'s center would have somewhere to go."""
    row = CenterChannel.objects.filter(area=area, kind=kind).first()
    if row is not None:
        return row.enabled
    return environment_target(kind) is not None


def absolute_link(link: str) -> str:
    """``link`` made absolute with NOTIFY_SITE_URL ("" for a relative link without it)."""
    if not link or link.startswith(("https://", "http://")):
        return link
    base = settings.NOTIFY_SITE_URL.rstrip("/")
    return f"{base}{link}" if base else ""
