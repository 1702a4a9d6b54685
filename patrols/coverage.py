"""Monthly patrol figures for the assessment (考核) tables and the briefing.

Per grid leader: patrols ended in the month (by start time), time on patrol, distance, and the
share of their grid within 50 m of any of their month's tracks (the union, so walking the same
street twice does not count twice). Per village: the same share over all its grids together
(covered area of every grid / area of every grid; a grid without patrols counts as 0 covered).

A month whose tracks the retention job deleted is read from the figures it froze first
(PatrolMonth); other months are computed from the tracks in PostGIS, in the metric projection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from gridmap.choices import AreaLevel
from gridmap.models import Area
from patrols.figures import COVER_RADIUS_M, METRIC_SRID
from patrols.models import PatrolMonth

_MONTH_SQL = """
WITH per AS (
  SELECT p.grid_id, p.leader_id, count(*) AS n,
         sum(extract(epoch FROM p.ended_at - p.started_at)) AS seconds,
         sum(p.distance_m) AS metres,
         ST_Union(ST_Buffer(ST_Transform(p.track, %(srid)s), %(radius)s, 'quad_segs=16')) AS swath
  FROM patrols_patrol p JOIN gridmap_area a ON a.id = p.grid_id
  WHERE p.ended_at IS NOT NULL AND p.started_at >= %(start)s AND p.started_at < %(end)s
    AND a.code LIKE %(prefix)s
  GROUP BY GROUPING SETS ((p.grid_id, p.leader_id), (p.grid_id))
)
SELECT per.grid_id, per.leader_id, per.n, per.seconds, per.metres,
       COALESCE(ST_Area(ST_Intersection(per.swath, g.m)) / NULLIF(ST_Area(g.m), 0), 0)
FROM per CROSS JOIN LATERAL (
  SELECT ST_Transform(boundary, %(srid)s) AS m FROM gridmap_area WHERE id = per.grid_id) g
"""

_GRID_AREAS_SQL = """
SELECT id, ST_Area(ST_Transform(boundary, %(srid)s)) FROM gridmap_area
WHERE level = %(level)s AND valid_to IS NULL AND code LIKE %(prefix)s
"""


@dataclass(frozen=True)
class Figures:
    """Patrols of one month: how many, how long, how far, and the grid's covered share."""

    patrols: int = 0
    duration_s: float = 0.0
    distance_m: float = 0.0
    covered_share: float = 0.0

    @property
    def hours(self) -> float:
        return self.duration_s / 3600

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def covered_percent(self) -> str:
        return f"{100 * self.covered_share:.1f}%"


@dataclass(frozen=True)
class LeaderRow:
    """One grid leader's month in their grid."""

    grid: Area
    leader_id: int | None
    leader_name: str
    figures: Figures


@dataclass(frozen=True)
class VillageRow:
    """One village's month: its grids together."""

    village: Area
    grids: int
    patrolled_grids: int
    patrols: int
    distance_m: float
    covered_share: float
    grid_area_m2: float = 0.0

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def covered_percent(self) -> str:
        return f"{100 * self.covered_share:.1f}%"


@dataclass(frozen=True)
class MonthCoverage:
    month: dt.date
    leaders: list[LeaderRow]
    villages: list[VillageRow]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of the month's first day and of the next month's."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, zone),
        dt.datetime.combine(following, dt.time.min, zone),
    )


def live_figures(prefix: str, month: dt.date) -> dict[tuple[int, int | None], Figures]:
    """Figures from the stored tracks, keyed (grid id, leader id); leader None: the whole grid."""
    start, end = month_bounds(month)
    params = {
        "srid": METRIC_SRID,
        "radius": COVER_RADIUS_M,
        "start": start,
        "end": end,
        "prefix": prefix + "%",
    }
    with connection.cursor() as cursor:
        cursor.execute(_MONTH_SQL, params)
        rows = cursor.fetchall()
    return {
        (grid_id, leader_id): Figures(int(n), float(seconds or 0), float(metres or 0), float(share))
        for grid_id, leader_id, n, seconds, metres, share in rows
    }


def month_figures(prefix: str, month: dt.date) -> dict[tuple[int, int | None], Figures]:
    """Live figures with the frozen ones (months whose tracks were deleted) laid over them."""
    figures = live_figures(prefix, month)
    frozen = PatrolMonth.objects.filter(month=month.replace(day=1), grid__code__startswith=prefix)
    for row in frozen:
        figures[(row.grid_id, row.leader_id)] = Figures(
            row.patrols, row.duration_s, row.distance_m, row.covered_share
        )
    return figures


def _grid_areas(prefix: str) -> dict[int, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            _GRID_AREAS_SQL, {"srid": METRIC_SRID, "level": AreaLevel.GRID, "prefix": prefix + "%"}
        )
        return {pk: float(m2 or 0) for pk, m2 in cursor.fetchall()}


def month_coverage(*, area: Area, month: dt.date) -> MonthCoverage:
    """Every grid leader's and every village's patrol figures in ``area``'s subtree for ``month``.

    Leaders without a patrol are listed with zeros: the assessment is about them too.
    """
    month = month.replace(day=1)
    prefix = area.code_prefix
    figures = month_figures(prefix, month)
    grid_m2 = _grid_areas(prefix)
    grids = {
        g.pk: g
        for g in Area.objects.without_shapes()
        .filter(pk__in=grid_m2)
        .select_related("parent")
        .defer(*(f"parent__{name}" for name in ("boundary", "display_boundary", "label_point")))
    }
    leaders = get_user_model().objects.filter(
        role=Role.GRID_LEADER, jurisdiction_id__in=list(grids), is_active=True
    )
    rows: list[LeaderRow] = []
    seen: set[tuple[int, int]] = set()
    for user in leaders:
        key = (user.jurisdiction_id, user.pk)
        seen.add(key)
        name = user.get_full_name() or user.username
        rows.append(
            LeaderRow(grids[user.jurisdiction_id], user.pk, name, figures.get(key, Figures()))
        )
    # Patrols of a leader who has since moved or left still count for the grid walked.
    former = {key for key in figures if key[1] is not None and key not in seen and key[0] in grids}
    if former:
        names = {
            u.pk: u.get_full_name() or u.username
            for u in get_user_model().objects.filter(pk__in={k[1] for k in former})
        }
        for key in former:
            rows.append(LeaderRow(grids[key[0]], key[1], names.get(key[1], ""), figures[key]))
    rows.sort(key=lambda r: (r.grid.code, r.leader_name))
    return MonthCoverage(month, rows, _villages(grids, grid_m2, figures))


def _villages(
    grids: dict[int, Area],
    grid_m2: dict[int, float],
    figures: dict[tuple[int, int | None], Figures],
) -> list[VillageRow]:
    totals: dict[int, dict[str, float]] = {}
    villages: dict[int, Area] = {}
    for pk, grid in grids.items():
        village = grid.parent
        villages[village.pk] = village
        total = totals.setdefault(
            village.pk, dict.fromkeys(("grids", "patrolled", "n", "m", "area", "covered"), 0.0)
        )
        whole = figures.get((pk, None), Figures())
        total["grids"] += 1
        total["patrolled"] += 1 if whole.patrols else 0
        total["n"] += whole.patrols
        total["m"] += whole.distance_m
        total["area"] += grid_m2.get(pk, 0.0)
        total["covered"] += whole.covered_share * grid_m2.get(pk, 0.0)
    return [
        VillageRow(
            villages[pk],
            int(t["grids"]),
            int(t["patrolled"]),
            int(t["n"]),
            t["m"],
            t["covered"] / t["area"] if t["area"] else 0.0,
            t["area"],
        )
        for pk, t in sorted(totals.items(), key=lambda item: villages[item[0]].code)
    ]
