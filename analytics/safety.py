"""The safety index (平安指数) of an area over whole months, and rankings of sibling areas.

Each component scores 0-100 (higher is safer); the index is their weighted mean over the
components that can be computed (weights renormalised when one is missing):

- burden: B = Σ_tier w_tier · received_tier / population · 1000 / months,
  score 100·max(0, 1 − B/cap);
- major: M = major matters received / population · 1000 / months,
  score 100·max(0, 1 − M/cap);
- success, on time: the handled matters' success and on-time rates × 100 (incidents.rates);
- rectification: the success rate of handled hazards × 100;
- satisfaction: (satisfied + basically satisfied) / followed up × 100.

Weights, tier weights and caps come from ``settings.SAFETY_INDEX`` over ``DEFAULTS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from analytics.periods import Period
from gridmap.models import Area
from incidents.choices import IncidentKind, Tier
from incidents.models import Incident
from incidents.rates import CHILD_FIELD, Rates, _moment, area_rates, rates_by_child

DEFAULTS: dict = {
    "weights": {
        "burden": 0.25,
        "major": 0.15,
        "success": 0.15,
        "on_time": 0.15,
        "rectification": 0.15,
        "satisfaction": 0.15,
    },
    "tier_weights": {Tier.ORDINARY: 1.0, Tier.LARGER: 2.0, Tier.MAJOR: 4.0},
    "burden_cap": 4.0,  # tier-weighted matters per 1,000 residents a month that score 0
    "major_cap": 0.5,  # major matters per 1,000 residents a month that score 0
}


def config() -> dict:
    """DEFAULTS with ``settings.SAFETY_INDEX`` laid over them (nested dicts merged)."""
    merged = {
        key: (dict(value) if isinstance(value, dict) else value) for key, value in DEFAULTS.items()
    }
    for key, value in getattr(settings, "SAFETY_INDEX", {}).items():
        if isinstance(value, dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Inputs:
    """What the index of one area and period is computed from."""

    population: int | None
    months: int
    received_by_tier: dict[str, int]
    rates: Rates
    hazard_rates: Rates


@dataclass(frozen=True)
class IndexValue:
    score: float | None
    parts: dict[str, float | None]  # component scores 0-100 (None: not computable)


def _capped(value: float, cap: float) -> float:
    return 100.0 * max(0.0, 1.0 - value / cap)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else 100.0 * rate


def compute(inputs: Inputs, cfg: dict | None = None) -> IndexValue:
    """The index and its component scores from ``inputs``."""
    cfg = cfg or config()
    parts: dict[str, float | None] = dict.fromkeys(cfg["weights"])
    if inputs.population:
        per_thousand_month = 1000.0 / inputs.population / inputs.months
        weighted = sum(
            cfg["tier_weights"].get(tier, 1.0) * count
            for tier, count in inputs.received_by_tier.items()
        )
        parts["burden"] = _capped(weighted * per_thousand_month, cfg["burden_cap"])
        major = inputs.received_by_tier.get(Tier.MAJOR, 0)
        parts["major"] = _capped(major * per_thousand_month, cfg["major_cap"])
    parts["success"] = _percent(inputs.rates.success_rate)
    parts["on_time"] = _percent(inputs.rates.on_time_rate)
    parts["rectification"] = _percent(inputs.hazard_rates.success_rate)
    parts["satisfaction"] = _percent(inputs.rates.satisfaction_rate)
    used = {k: w for k, w in cfg["weights"].items() if parts.get(k) is not None and w}
    if not used:
        return IndexValue(None, parts)
    score = sum(w * parts[k] for k, w in used.items()) / sum(used.values())
    return IndexValue(round(score, 2), parts)


def _tier_counts(queryset: QuerySet[Incident], period: Period, group: str | None) -> dict:
    received = queryset.filter(
        received_at__gte=_moment(period.start), received_at__lt=_moment(period.end)
    ).order_by()
    fields = [group, "tier"] if group else ["tier"]
    counts: dict = {}
    for row in received.values(*fields).annotate(n=Count("pk")):
        key = row[group] if group else None
        counts.setdefault(key, {})[row["tier"]] = row["n"]
    return counts


def area_index(
    area: Area, period: Period, incidents: QuerySet[Incident] | None = None
) -> IndexValue:
    """The safety index of ``area``'s subtree over ``period``."""
    base = Incident.objects.all() if incidents is None else incidents
    scoped = base.filter(grid__code__startswith=area.code_prefix)
    hazards = base.filter(kind=IncidentKind.HAZARD)
    inputs = Inputs(
        population=area.population,
        months=period.months,
        received_by_tier=_tier_counts(scoped, period, None).get(None, {}),
        rates=area_rates(area=area, start=period.start, end=period.end, incidents=incidents),
        hazard_rates=area_rates(area=area, start=period.start, end=period.end, incidents=hazards),
    )
    return compute(inputs)


@dataclass
class Ranked:
    """One child area's index in a period, its rank and the change from the previous period."""

    area: Area
    value: IndexValue
    rates: Rates
    rank: int | None = None
    previous_score: float | None = None
    previous_rank: int | None = None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous period (negative: lost)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _children_values(
    area: Area, period: Period, incidents: QuerySet[Incident] | None
) -> list[tuple[Area, IndexValue, Rates]]:
    group = f"{CHILD_FIELD[area.level]}_id"
    base = Incident.objects.all() if incidents is None else incidents
    scoped = base.filter(grid__code__startswith=area.code_prefix)
    tiers = _tier_counts(scoped, period, group)
    hazards = {
        r.area.pk: r.rates
        for r in rates_by_child(
            area=area,
            start=period.start,
            end=period.end,
            incidents=base.filter(kind=IncidentKind.HAZARD),
        )
    }
    cfg = config()
    values = []
    for row in rates_by_child(area=area, start=period.start, end=period.end, incidents=incidents):
        inputs = Inputs(
            population=row.area.population,
            months=period.months,
            received_by_tier=tiers.get(row.area.pk, {}),
            rates=row.rates,
            hazard_rates=hazards.get(row.area.pk, Rates()),
        )
        values.append((row.area, compute(inputs, cfg), row.rates))
    return values


def _ranks(values: list[tuple[Area, IndexValue, Rates]]) -> dict[int, int]:
    scored = sorted(
        (v for v in values if v[1].score is not None), key=lambda v: (-v[1].score, v[0].code)
    )
    return {a.pk: position for position, (a, _, _) in enumerate(scored, start=1)}


def ranking(
    area: Area, period: Period, incidents: QuerySet[Incident] | None = None
) -> list[Ranked]:
    """The children of ``area`` by safety index over ``period``, best first, with changes."""
    current = _children_values(area, period, incidents)
    previous = _children_values(area, period.previous(), incidents)
    ranks, previous_ranks = _ranks(current), _ranks(previous)
    previous_scores = {a.pk: v.score for a, v, _ in previous}
    rows = [
        Ranked(
            area=a,
            value=v,
            rates=r,
            rank=ranks.get(a.pk),
            previous_score=previous_scores.get(a.pk),
            previous_rank=previous_ranks.get(a.pk),
        )
        for a, v, r in current
    ]
    return sorted(rows, key=lambda row: (row.rank is None, row.rank or 0, row.area.code))


def monthly_index(
    area: Area, months: list[Period], incidents: QuerySet[Incident] | None = None
) -> list[tuple[Period, float | None]]:
    """The area's index month by month (for trend charts)."""
    return [(month, area_index(area, month, incidents).score) for month in months]
