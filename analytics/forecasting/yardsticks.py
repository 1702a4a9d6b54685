"""How good a forecast was: PAI, PEI, hit rate and Brier score, with bootstrap intervals.

Flagging: cells are taken in order of the forecast's score (expected matters per m², i.e. the
density, unless the model ranks otherwise) until the flagged cells cover at least the asked share
of the total area; whole cells only, so the flagged share can be a little more than asked and
the PAI uses the share actually flagged. Ties are broken by one fixed random order.

- PAI = (matters in flagged cells ÷ all matters) ÷ (flagged area ÷ total area);
- PEI = PAI ÷ the PAI of the best possible flagging at the same share (cells taken by the
  matters that really came, per m²);
- hit rate = share of flagged cells (at 5 %) with at least one matter;
- Brier = mean over cells × groups of (P(≥ 1) − [a matter came])².

Over several periods the numbers are pooled (all captured ÷ all matters, all flagged area ÷ all
area). The interval is the 2.5–97.5 % percentile of a bootstrap over cells: the same cells drawn
with replacement for every period, flagged again within the draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHARES: tuple[float, ...] = (0.01, 0.05, 0.10)
SKILL_SHARE = 0.05
BOOTSTRAP = 200
TIE_SEED = 17


@dataclass(frozen=True)
class Estimate:
    """A value with its bootstrap interval."""

    value: float
    low: float
    high: float


@dataclass
class Outcome:
    """One forecast period against what came, per cell (ranks: 0 = flagged first)."""

    rank: np.ndarray  # cells
    best_rank: np.ndarray  # cells: the ideal order
    events: np.ndarray  # cells: matters that came, all groups
    area_m2: np.ndarray  # cells
    probability: np.ndarray  # cells × groups
    observed: np.ndarray  # cells × groups


def ranks(score: np.ndarray, seed: int = TIE_SEED) -> np.ndarray:
    """Rank of every cell by ``score``, highest first, ties in one fixed random order."""
    tiebreak = np.random.default_rng(seed).permutation(len(score))
    order = np.lexsort((tiebreak, -np.asarray(score, dtype=float)))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(len(score))
    return rank


def outcome(
    score: np.ndarray,
    area_m2: np.ndarray,
    probability: np.ndarray,
    observed: np.ndarray,
) -> Outcome:
    """The outcome of a forecast whose per-cell ranking score is ``score``."""
    events = observed.sum(axis=1).astype(float)
    return Outcome(
        rank=ranks(score),
        best_rank=ranks(events / area_m2),
        events=events,
        area_m2=np.asarray(area_m2, dtype=float),
        probability=np.asarray(probability, dtype=float),
        observed=np.asarray(observed),
    )


def flagged_count(area_in_order: np.ndarray, share: float) -> int:
    """How many cells, in flagging order, first cover ``share`` of the total area."""
    cumulative = np.cumsum(area_in_order)
    return int(np.searchsorted(cumulative, share * cumulative[-1] * (1 - 1e-12)) + 1)


def _capture(rank: np.ndarray, o: Outcome, cells: np.ndarray, share: float) -> tuple:
    """Captured matters, flagged area, flagged cells with a matter, and flagged cells."""
    order = cells[np.argsort(rank[cells], kind="stable")]
    k = flagged_count(o.area_m2[order], share)
    top = order[:k]
    return o.events[top].sum(), o.area_m2[top].sum(), (o.events[top] >= 1).sum(), k


def _pooled(outcomes: list[Outcome], draws: list[np.ndarray]) -> dict[str, float]:
    """Every yardstick pooled over the periods, on the given cells of each period."""
    values: dict[str, float] = {}
    events = sum(o.events[c].sum() for o, c in zip(outcomes, draws, strict=True))
    area = sum(o.area_m2[c].sum() for o, c in zip(outcomes, draws, strict=True))
    for share in SHARES:
        caught = flagged_area = best_caught = best_area = hits = flagged = 0.0
        for o, cells in zip(outcomes, draws, strict=True):
            c, a, h, k = _capture(o.rank, o, cells, share)
            bc, ba, _h, _k = _capture(o.best_rank, o, cells, share)
            caught, flagged_area, hits, flagged = (
                caught + c,
                flagged_area + a,
                hits + h,
                flagged + k,
            )
            best_caught, best_area = best_caught + bc, best_area + ba
        percent = round(share * 100)
        pai = _ratio(caught, events) / _ratio(flagged_area, area) if events else np.nan
        best = _ratio(best_caught, events) / _ratio(best_area, area) if events else np.nan
        values[f"pai_{percent}"] = pai
        values[f"pei_{percent}"] = pai / best if best else np.nan
        values[f"hit_rate_{percent}"] = hits / flagged if flagged else np.nan
    squared = [
        ((o.probability[c] - (o.observed[c] >= 1)) ** 2).ravel()
        for o, c in zip(outcomes, draws, strict=True)
    ]
    values["brier"] = float(np.concatenate(squared).mean())
    return values


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else np.nan


METRICS: tuple[str, ...] = (
    *(f"pai_{round(s * 100)}" for s in SHARES),
    *(f"pei_{round(s * 100)}" for s in SHARES),
    "hit_rate_5",
    "brier",
)


def score(
    outcomes: list[Outcome], *, bootstrap: int = BOOTSTRAP, seed: int = 0
) -> dict[str, Estimate]:
    """The yardsticks of METRICS pooled over ``outcomes``, each with a bootstrap interval."""
    cells = len(outcomes[0].events)
    everyone = [np.arange(cells)] * len(outcomes)
    point = _pooled(outcomes, everyone)
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(bootstrap):
        draw = rng.integers(0, cells, cells)
        samples.append(_pooled(outcomes, [draw] * len(outcomes)))
    result = {}
    for name in METRICS:
        drawn = np.array([s[name] for s in samples], dtype=float)
        drawn = drawn[np.isfinite(drawn)]
        low, high = np.percentile(drawn, [2.5, 97.5]) if len(drawn) else (np.nan, np.nan)
        result[name] = Estimate(float(point[name]), float(low), float(high))
    return result


def has_skill(scores: dict[str, Estimate]) -> bool:
    """Measured skill: the PAI at 5 % of the area has its whole 95 % interval above 1."""
    return bool(scores[f"pai_{round(SKILL_SHARE * 100)}"].low > 1.0)
