"""The briefing's patrol section: the month's coverage of an area and its least-covered villages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gridmap.models import Area
from patrols.coverage import VillageRow, month_coverage

LOWEST_VILLAGES = 10


@dataclass(frozen=True)
class PatrolSection:
    """What the briefing shows of patrols: totals of the area, and villages to look at."""

    month: dt.date
    grids: int
    patrolled_grids: int
    patrols: int
    distance_km: float
    covered_share: float
    lowest: list[VillageRow]

    @property
    def covered_percent(self) -> str:
        return f"{100 * self.covered_share:.1f}%"


def patrol_section(*, area: Area, month: dt.date) -> PatrolSection:
    """The month's patrol coverage of ``area`` (all its grids together) and its
    LOWEST_VILLAGES least-covered villages (for a village: itself)."""
    table = month_coverage(area=area, month=month)
    villages = table.villages
    grids = sum(v.grids for v in villages)
    # Village shares are area-weighted already: weight them again by their grids' area.
    weights = [v.grid_area_m2 for v in villages]
    total_area = sum(weights)
    covered = sum(v.covered_share * w for v, w in zip(villages, weights, strict=True))
    return PatrolSection(
        month=table.month,
        grids=grids,
        patrolled_grids=sum(v.patrolled_grids for v in villages),
        patrols=sum(v.patrols for v in villages),
        distance_km=sum(v.distance_m for v in villages) / 1000,
        covered_share=covered / total_area if total_area else 0.0,
        lowest=sorted(villages, key=lambda v: (v.covered_share, v.village.code))[:LOWEST_VILLAGES],
    )
