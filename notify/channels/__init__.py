"""Channel adapters: one function per channel that delivers a notification or raises.

``send(notification)`` is what the delivery worker calls. Each adapter module (``wecom``,
``dingtalk``, ``sms``) registers itself in ``ADAPTERS``; the site channel has nothing to send (the
row itself is the message, shown by the bell and the live pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from notify.choices import Channel

if TYPE_CHECKING:
    from notify.models import Notification


class DeliveryError(Exception):
    """A delivery that did not go through; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


Adapter = Callable[["Notification"], None]
ADAPTERS: dict[str, Adapter] = {}


def send(notification: Notification) -> None:
    """Delivers ``notification`` on its channel; raises DeliveryError when it did not go through."""
    if notification.channel == Channel.SITE:
        return
    adapter = ADAPTERS.get(notification.channel)
    if adapter is None:
        raise DeliveryError(f"No adapter for the channel {notification.channel}.", retryable=False)
    adapter(notification)
