"""Early-warning notifications: each township center hears of its own flagged cells, once.

Written into the notification outbox (notify.outbox) in the transaction that stores the outlook,
so a month is announced exactly when it is stored; the event key (outlook and township) makes a
repeated call a no-op. Each township gets one message: to its center's group channels and, in
the site (and by SMS where they opted in), to its leadership and dispatchers.
"""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from analytics.forecasting.labels import skill_text
from analytics.forecasting.records import StoredOutlook
from gridmap.choices import AreaLevel, ancestor_codes
from gridmap.models import Area
from notify.choices import Event
from notify.outbox import Message, announce

WARNING_ROLES = (Role.LEADERSHIP, Role.DISPATCHER)
NAMED_CELLS = 5  # cells named in a message; the rest are counted


def _township_code(grid_code: str) -> str:
    return ancestor_codes(grid_code, AreaLevel.GRID)[1]


def township_cells(stored: StoredOutlook) -> dict[Area, list[str]]:
    """The flagged cells' names (village · cell, by rank) per township, townships by code."""
    by_code: dict[str, list[str]] = defaultdict(list)
    for code, name, village in stored.cells.order_by("rank").values_list(
        "grid__code", "grid__name", "grid__parent__name"
    ):
        by_code[_township_code(code)].append(f"{village} · {name}")
    townships = Area.objects.filter(code__in=by_code, level=AreaLevel.TOWNSHIP).without_shapes()
    return {t: by_code[t.code] for t in townships.order_by("code")}


def warning_message(stored: StoredOutlook, township: Area, names: list[str]) -> Message:
    """What a township is told: how many of its cells are flagged, which, and the model's skill."""
    shown = "、".join(names[:NAMED_CELLS])
    more = len(names) - NAMED_CELLS
    month = stored.month
    return Message(
        title=_("Early warning for %(month)s: cells to watch in %(township)s (%(count)s)"),
        text=_(
            "Cells to watch in %(township)s next month (%(month)s): %(cells)s%(more)s. %(skill)s"
        ),
        # Lazy: the month, the remainder and the skill are said in each recipient's language.
        params={
            "month": lazy(lambda: date_format(month, "YEAR_MONTH_FORMAT"), str)(),
            "count": len(names),
            "township": township.name,
            "cells": shown,
            "more": lazy(
                lambda: str(_(" and %(n)s more") % {"n": more}) if more > 0 else "", str
            )(),
            "skill": lazy(lambda: skill_text(stored), str)(),
        },
        link=f"{reverse('area-map')}#area={township.code}",
    )


def announce_outlook(stored: StoredOutlook) -> int:
    """Announce ``stored`` to each township with flagged cells, in the caller's transaction.

    Returns the rows written; a repeated call writes none (the outbox's unique event keys).
    """
    written = 0
    for township, names in township_cells(stored).items():
        recipients = User.objects.filter(
            is_active=True, role__in=WARNING_ROLES, jurisdiction=township
        ).order_by("pk")
        written += announce(
            event=Event.EARLY_WARNING,
            event_key=f"early-warning:{stored.pk}:{township.code}",
            message=warning_message(stored, township, names),
            recipients=recipients,
            centers=[township],
        )
    return written
