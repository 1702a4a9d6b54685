"""Reads for the live pages: a user's own in-site notifications as plain JSON-ready dicts.

Every function takes the recipient's id and filters on it: the stream and the poll can only ever
return the asking user's own rows (docs/notifications/live.md).
"""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from notify.choices import Channel
from notify.models import Notification

# At most this many rows are replayed at once (a phone that was offline for a day gets the latest
# ones live; the notification list has the rest).
REPLAY_LIMIT = 50

FIELDS = ("id", "event", "title", "text", "link", "incident_id", "urgent", "created_at")


def _own(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id, channel=Channel.SITE)


def safe_link(link: str) -> str:
    """The link if it is a path on this site; anything else (another host, ``javascript:``) is
    dropped, so a notification can never send the browser elsewhere."""
    return link if link.startswith("/") and not link.startswith(("//", "/\\")) else ""


def as_item(row: dict) -> dict:
    """One notification as the live client receives it: text only, no HTML."""
    return {
        "id": row["id"],
        "event": row["event"],
        "title": row["title"],
        "text": row["text"],
        "link": safe_link(row["link"]),
        "incident": row["incident_id"],
        "urgent": row["urgent"],
        "created_at": row["created_at"].isoformat(),
    }


def notifications_after(user_id: int, after: int, *, limit: int = REPLAY_LIMIT) -> list[dict]:
    """The user's site notifications with an id above ``after``, oldest first (the newest
    ``limit`` of them)."""
    rows = list(_own(user_id).filter(id__gt=after).order_by("-id").values(*FIELDS)[:limit])
    return [as_item(row) for row in reversed(rows)]


def notification(user_id: int, notification_id: int) -> dict | None:
    """One notification, if it is the user's own site notification; else None."""
    row = _own(user_id).filter(id=notification_id).values(*FIELDS).first()
    return as_item(row) if row else None


def unread_count(user_id: int) -> int:
    """How many of the user's site notifications are unread (the bell's number)."""
    return _own(user_id).filter(read_at__isnull=True).count()


def bell_state(user_id: int) -> tuple[int, int]:
    """In one query: the id of the user's newest site notification (0 without any: where a page's
    live feed starts) and how many are unread (the bell's number)."""
    state = _own(user_id).aggregate(
        latest=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True))
    )
    return state["latest"] or 0, state["unread"]
