"""A stored briefing announced to the leaders whose jurisdiction holds its area.

Written into the notification outbox in the transaction that stores the briefing, so it is
announced exactly when it exists. (At merge this body becomes a call of notify.outbox.announce,
which writes the same site rows and adds each recipient's opted-in channels.)
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from analytics.choices import BriefingKind
from analytics.models import StoredBriefing
from analytics.periods import Period
from gridmap.choices import ancestor_codes
from notify.choices import Channel, Event, Status
from notify.models import Notification

BRIEFING_ROLES = (Role.LEADERSHIP, Role.COUNTY_ADMIN)


def briefing_recipients(stored: StoredBriefing) -> QuerySet[User]:
    """Active leadership and county administrators whose jurisdiction contains the area."""
    area = stored.area
    codes = [*ancestor_codes(area.code, area.level), area.code]
    return User.objects.filter(
        is_active=True, role__in=BRIEFING_ROLES, jurisdiction__code__in=codes
    ).order_by("pk")


def _texts(stored: StoredBriefing, period: Period, language: str) -> tuple[str, str]:
    with translation.override(language):
        params = {"area": stored.area.name, "period": period.title}
        title = _("Briefing ready: %(area)s, %(period)s") % params
        if stored.kind == BriefingKind.QUARTER:
            text = _("The quarterly briefing of %(area)s for %(period)s is ready to read or print.")
        else:
            text = _("The monthly briefing of %(area)s for %(period)s is ready to read or print.")
    return title[:200], text % params


def announce_briefing(stored: StoredBriefing) -> int:
    """Write one site notification per recipient, in their language; how many were written.

    Runs inside the caller's transaction; a repeated call writes nothing twice (the outbox's
    unique constraint on event key, recipient and channel).
    """
    period = Period(stored.kind, stored.period_start, stored.period_end)
    link = reverse("analytics:stored-briefing", kwargs={"pk": stored.pk})
    now = timezone.now()
    texts: dict[str, tuple[str, str]] = {}
    rows = []
    for user in briefing_recipients(stored):
        language = user.language or "zh-hans"
        if language not in texts:
            texts[language] = _texts(stored, period, language)
        title, text = texts[language]
        rows.append(
            Notification(
                event=Event.BRIEFING_READY,
                event_key=f"briefing:{stored.pk}",
                recipient=user,
                channel=Channel.SITE,
                title=title,
                text=text,
                link=link,
                # A site row is the message itself: stored as sent, as the outbox does.
                status=Status.SENT,
                sent_at=now,
                created_at=now,
                next_attempt_at=now,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
