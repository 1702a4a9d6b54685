"""A stored briefing announced to the leaders whose jurisdiction holds its area.

Written into the notification outbox (notify.outbox) in the transaction that stores the
briefing, so it is announced exactly when it exists, on the site and on each recipient's
opted-in channels.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from analytics.choices import BriefingKind
from analytics.models import StoredBriefing
from analytics.periods import Period
from gridmap.choices import ancestor_codes
from notify.choices import Event
from notify.outbox import Message, announce

BRIEFING_ROLES = (Role.LEADERSHIP, Role.COUNTY_ADMIN)


def briefing_recipients(stored: StoredBriefing) -> QuerySet[User]:
    """Active leadership and county administrators whose jurisdiction contains the area."""
    area = stored.area
    codes = [*ancestor_codes(area.code, area.level), area.code]
    return User.objects.filter(
        is_active=True, role__in=BRIEFING_ROLES, jurisdiction__code__in=codes
    ).order_by("pk")


def briefing_message(stored: StoredBriefing) -> Message:
    """Title, text and link of the announcement (translated per recipient by the outbox)."""
    period = Period(stored.kind, stored.period_start, stored.period_end)
    if stored.kind == BriefingKind.QUARTER:
        text = _("The quarterly briefing of %(area)s for %(period)s is ready to read or print.")
    else:
        text = _("The monthly briefing of %(area)s for %(period)s is ready to read or print.")
    return Message(
        title=_("Briefing ready: %(area)s, %(period)s"),
        text=text,
        # Lazy: the period's name is translated in each recipient's language, like the texts.
        params={"area": stored.area.name, "period": lazy(lambda: period.title, str)()},
        link=reverse("analytics:stored-briefing", kwargs={"pk": stored.pk}),
    )


def announce_briefing(stored: StoredBriefing) -> int:
    """Announce the briefing to its recipients in the caller's transaction; rows written.

    A repeated call writes nothing twice (the outbox's unique event key per recipient and channel).
    """
    return announce(
        event=Event.BRIEFING_READY,
        event_key=f"briefing:{stored.pk}",
        message=briefing_message(stored),
        recipients=briefing_recipients(stored),
    )
