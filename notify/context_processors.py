"""The bell: the signed-in user's unread count, for every page (templates/base.html)."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from notify.queries import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """``unread_notifications``: a callable the template calls (once) only when it shows the bell,
    so pages without it and anonymous visitors cost no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> int:
        return unread_count(user)

    return {"unread_notifications": count}
