"""Reading notifications: a user's inbox and unread count, the administrators' delivery log."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.choices import Role
from gridmap.scoping import user_area
from notify.choices import Channel, Status
from notify.models import Notification

# Site rows the user has not read yet (written as sent; "read" once opened).
UNREAD = (Status.PENDING, Status.SENT)


def inbox(user: object) -> QuerySet[Notification]:
    """The user's own site notifications, newest first."""
    return Notification.objects.filter(recipient_id=getattr(user, "pk", None), channel=Channel.SITE)


def unread_count(user: object) -> int:
    """One COUNT on the inbox index (recipient, channel, status)."""
    return inbox(user).filter(status__in=UNREAD).count()


def may_read_delivery_log(user: object) -> bool:
    """County administrators read the delivery log of their jurisdiction."""
    return getattr(user, "role", None) == Role.COUNTY_ADMIN and user_area(user) is not None


def delivery_log(user: object) -> QuerySet[Notification]:
    """Notifications to people or centers inside the administrator's jurisdiction."""
    area = user_area(user)
    if not may_read_delivery_log(user) or area is None:
        return Notification.objects.none()
    prefix = area.code_prefix
    return Notification.objects.filter(
        Q(recipient__jurisdiction__code__startswith=prefix) | Q(center__code__startswith=prefix)
    ).select_related("recipient", "center", "incident")
