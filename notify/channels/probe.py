"""The "send test message" of a center's channel: one real delivery, now, recorded in the log."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notify.channels import DeliveryError, dingtalk, sms, wecom
from notify.channels.targets import Target, row_target
from notify.choices import Channel, Event, Status
from notify.models import CenterChannel, Notification

DELIVER: dict[str, Callable[[Notification, Target], None]] = {
    Channel.WECOM: wecom.deliver,
    Channel.DINGTALK: dingtalk.deliver,
    Channel.SMS: sms.deliver,
}


def send_test_message(*, channel: CenterChannel, user: object) -> Notification:
    """Sends a test message through ``channel`` (even a disabled one) and returns its record.

    Group robots get it in the center's group; an SMS gateway sends it to ``user``'s own phone.
    The record is written after the attempt as sent or failed (never pending), so the delivery
    worker never sends it again.
    """
    language = getattr(user, "language", "") or translation.get_language()
    with translation.override(language):
        notification = Notification(
            event=Event.TEST,
            event_key=f"test:{uuid.uuid4()}",
            channel=channel.kind,
            title=_("Pingan Grid test message"),
            text=_("Test of the %(channel)s of %(center)s, sent by %(user)s.")
            % {
                "channel": channel.get_kind_display(),
                "center": channel.area.name,
                "user": getattr(user, "display_name", "") or getattr(user, "username", ""),
            },
        )
    if channel.kind == Channel.SMS:
        notification.recipient = user
    else:
        notification.center = channel.area
    now = timezone.now()
    try:
        DELIVER[channel.kind](notification, row_target(channel))
    except DeliveryError as exc:
        notification.status = Status.FAILED
        notification.last_error = str(exc)
    else:
        notification.status = Status.SENT
        notification.sent_at = timezone.now()
    notification.attempts = 1
    notification.created_at = now
    notification.next_attempt_at = now
    notification.save()
    return notification
