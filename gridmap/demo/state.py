"""Is the demo loaded, and what does it hold: cheap reads, no geometry libraries imported."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from gridmap.choices import LEVEL_ORDER, GridWorkerRole
from gridmap.demo.reference import COUNTY_CODE
from gridmap.models import Area, GridWorker

# The marker load_demo writes into Area.source; a county imported from real boundaries lacks it.
DEMO_SOURCE_PREFIX = "demo:longxi"
DEMO_SOURCE = f"{DEMO_SOURCE_PREFIX} v1: real outline, synthetic township/village/grid polygons"
DEMO_VALID_FROM = dt.date(2024, 1, 1)


def county_row() -> Area | None:
    """The Longxi county area in force, whatever its source."""
    return Area.objects.current().filter(code=COUNTY_CODE).first()


def is_demo(area: Area | None) -> bool:
    """Whether ``area`` was written by load_demo."""
    return area is not None and area.source.startswith(DEMO_SOURCE_PREFIX)


def demo_counts() -> dict[str, int]:
    """Areas in force per level under the county, and active grid leaders."""
    prefix = COUNTY_CODE[:6]
    rows = (
        Area.objects.current()
        .filter(code__startswith=prefix)
        .values_list("level")
        .annotate(n=Count("id"))
    )
    per_level = dict(rows)
    counts = {level: per_level.get(level, 0) for level in LEVEL_ORDER}
    counts["leaders"] = GridWorker.objects.filter(
        area__code__startswith=prefix, role=GridWorkerRole.LEADER, active=True
    ).count()
    return counts
