"""Write paths of notifications a person takes: mark read, retry a failed delivery, preferences."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notify.choices import Status
from notify.models import Notification, Preference
from notify.queries import UNREAD, delivery_log, inbox


class NotFoundError(LookupError):
    """No such notification that the user may act on (shown as 404)."""


def mark_read(*, user: object, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (again: no change)."""
    with transaction.atomic():
        row = inbox(user).select_for_update().filter(pk=notification_id).first()
        if row is None:
            raise NotFoundError(notification_id)
        if row.status != Status.READ:
            row.status, row.read_at = Status.READ, timezone.now()
            row.save(update_fields=["status", "read_at"])
    return row


def mark_all_read(*, user: object) -> int:
    """Mark every unread notification of the user read, in one statement; how many."""
    return inbox(user).filter(status__in=UNREAD).update(status=Status.READ, read_at=timezone.now())


def retry(*, user: object, notification_id: int) -> Notification:
    """Send a failed notification again (delivery log): pending now, attempts counted afresh."""
    with transaction.atomic():
        row = (
            delivery_log(user)
            .select_for_update(of=("self",))
            .filter(pk=notification_id, status=Status.FAILED)
            .first()
        )
        if row is None:
            raise NotFoundError(notification_id)
        row.status, row.attempts, row.next_attempt_at = Status.PENDING, 0, timezone.now()
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
    return row


def save_preferences(
    *,
    user: object,
    sms_events: list[str],
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
) -> Preference:
    """Store the user's own preferences (one row per user)."""
    preference, _created = Preference.objects.update_or_create(
        user=user,
        defaults={
            "sms_events": sorted(set(sms_events)),
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
    return preference
