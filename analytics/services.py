"""Write paths of analytics: a hot-spot run, computed and then stored in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from analytics.choices import H3_RESOLUTION, Measure, Trend, Unit, Weights
from analytics.hotspots import Units, analyse, grid_units, h3_units, main_category, trends
from analytics.models import HotspotCell, HotspotRun
from analytics.periods import Period, add_months, months_ending
from analytics.queries import MatterFilter, category_names, matter_points, matters
from gridmap.models import Area
from incidents.models import Incident

TREND_MONTHS = 6  # the shortest series of months the emerging classes look at


class AnalyticsInputError(ValueError):
    """Parameters of an analysis that cannot be used (message says which)."""


def build_units(area: Area, unit: str, weights: str, points=None) -> Units:
    """The units of an analysis: grid cells with contiguity, or H3 cells with rings."""
    if unit == Unit.GRID:
        if weights not in (Weights.QUEEN, Weights.ROOK):
            raise AnalyticsInputError("grid cells take queen or rook contiguity")
        return grid_units(area, weights)
    if unit in H3_RESOLUTION:
        return h3_units(area, H3_RESOLUTION[unit], k=1, extra=points)
    raise AnalyticsInputError(f"unknown unit: {unit!r}")


def trend_periods(period: Period) -> list[Period]:
    """The months the emerging classes compare: the period's, and at least six up to its end."""
    last = add_months(period.end, -1)
    return months_ending(last, max(TREND_MONTHS, period.months))


def run_hotspots(
    *,
    area: Area,
    period: Period,
    unit: str = Unit.GRID,
    weights: str = Weights.QUEEN,
    measure: str = Measure.COUNT,
    kind: str = "",
    category: str = "",
    permutations: int = 0,
    seed: int | None = 1,
    with_trends: bool = True,
    incidents: QuerySet[Incident] | None = None,
    user: object | None = None,
) -> HotspotRun:
    """Gi* of ``area``'s matters over ``period`` on the chosen units, stored as one run."""
    if unit != Unit.GRID and weights != Weights.RING:
        weights = Weights.RING
    flt = MatterFilter(area=area, start=period.start, end=period.end, kind=kind, category=category)
    points = matter_points(matters(flt, incidents))
    units = build_units(area, unit, weights, points)
    if measure == Measure.RATE and units.population is None:
        raise AnalyticsInputError("rates per 1,000 residents need a population for every unit")
    result = analyse(units, points, measure=measure, permutations=permutations, seed=seed)
    trend = None
    if with_trends:
        series = [
            matter_points(
                matters(
                    MatterFilter(area=area, start=p.start, end=p.end, kind=kind, category=category),
                    incidents,
                )
            )
            for p in trend_periods(period)
        ]
        trend = trends(units, series, measure=measure)
    categories = main_category(units, points, category_names())
    with transaction.atomic():
        run = HotspotRun.objects.create(
            area=area,
            unit=unit,
            weights=weights,
            measure=measure,
            period_label=period.label,
            period_start=period.start,
            period_end=period.end,
            filters=flt.as_dict(),
            parameters={
                "permutations": permutations,
                "seed": seed,
                "fdr": True,
                "star": True,
                "transform": "B",
                "trend_months": len(trend_periods(period)) if with_trends else 0,
            },
            incident_count=len(points),
            cell_count=len(units),
            hot_count=int((result.bins >= 2).sum()),
            cold_count=int((result.bins <= -2).sum()),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        HotspotCell.objects.bulk_create(
            [
                HotspotCell(
                    run=run,
                    key=units.keys[i],
                    area_id=units.area_ids[i],
                    name=units.names[i],
                    geometry=units.geometries[i],
                    count=int(result.counts[i]),
                    population=None if units.population is None else int(units.population[i]),
                    rate=None if result.rates is None else float(result.rates[i]),
                    z=float(result.z[i]),
                    p=float(result.p[i]),
                    p_sim=None if result.p_sim is None else float(result.p_sim[i]),
                    gi_bin=int(result.bins[i]),
                    trend=trend.classes[i] if trend else Trend.NONE,
                    trend_tau=trend.taus[i] if trend else None,
                    streak=int(trend.streaks[i]) if trend else 0,
                    streak_bin=int(trend.streak_bins[i]) if trend else 0,
                    top_category=categories[i][0],
                    top_share=categories[i][1],
                )
                for i in range(len(units))
            ],
            batch_size=2000,
        )
    return run
