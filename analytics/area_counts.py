"""Open and overdue matters per child area, now: the briefing's region table and its area map.

"Overdue" is incidents.queries.overdue_q, the same condition as the queue's overdue filter and its
已逾期 mark (Incident.is_overdue), so a count here is what the linked queue lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from gridmap.choices import AreaLevel
from gridmap.models import Area
from incidents.choices import OPEN_STATES
from incidents.models import Incident
from incidents.queries import overdue_q

# The matter's column naming its area one level below each level.
CHILD_FIELD = {
    AreaLevel.COUNTY: "township_id",
    AreaLevel.TOWNSHIP: "village_id",
    AreaLevel.VILLAGE: "grid_id",
}


@dataclass(frozen=True)
class OpenCounts:
    """One area's open matters now, and how many of them are overdue."""

    open: int = 0
    overdue: int = 0


def queue_url(area: Area, *, overdue: bool = False) -> str:
    """The matter queue over the whole jurisdiction, filtered to ``area``'s subtree (overdue)."""
    query = {"scope": "all", "area": area.code}
    if overdue:
        query["overdue"] = "true"
    else:
        query["state"] = [str(state) for state in OPEN_STATES]
    return f"{reverse('incidents:queue')}?{urlencode(query, doseq=True)}"


def overdue_matters(
    area: Area, incidents: QuerySet[Incident] | None = None, now: dt.datetime | None = None
) -> QuerySet[Incident]:
    """The open matters of ``area``'s subtree that are overdue now, longest overdue first."""
    base = Incident.objects.all() if incidents is None else incidents
    return base.filter(overdue_q(now), grid__code__startswith=area.code_prefix).order_by(
        "due_at", "pk"
    )


def open_counts_by_child(
    area: Area, incidents: QuerySet[Incident] | None = None, now: dt.datetime | None = None
) -> dict[int, OpenCounts]:
    """Open and overdue matters now, by child area id of ``area`` (one aggregate query)."""
    field = CHILD_FIELD.get(area.level)
    if field is None:
        return {}
    now = now or timezone.now()
    base = Incident.objects.all() if incidents is None else incidents
    rows = (
        base.filter(state__in=OPEN_STATES, grid__code__startswith=area.code_prefix)
        .order_by()
        .values(field)
        .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q(now)))
    )
    return {row[field]: OpenCounts(row["open"], row["overdue"]) for row in rows}
