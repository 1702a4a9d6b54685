"""The bell: the signed-in user's unread count and live-feed cursor, for every page."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from notify.live_queries import bell_state


def bell(request: HttpRequest) -> dict[str, object]:
    """``unread_notifications`` and ``notification_cursor``: callables the templates call only
    when they show the bell (templates/base.html) or start the live feed (notify/_live.html).

    Both read one cached ``bell_state``: a page costs one query for the two, and pages without
    them and anonymous visitors cost none.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def state() -> tuple[int, int]:
        return bell_state(user.pk)

    return {
        "unread_notifications": lambda: state()[1],
        "notification_cursor": lambda: state()[0],
    }
