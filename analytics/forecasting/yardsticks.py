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


METRICS: tuple[str, ...] = (
    *(f"pai_{round(s * 100)}" for s in SHARES),
    *(f"pei_{round(s * 100)}" for s in SHARES),
    "hit_rate_5",
    "brier",
)
DRAWS_AT_ONCE = 50


def _curves(o: Outcome, rank: np.ndarray, weight: np.ndarray) -> dict[str, np.ndarray]:
    """Running totals (area, matters, cells with a matter, cells) down the flagging order.

    ``weight`` is draws × cells: how often each cell is in each bootstrap draw (1 for the data
    itself). Copies of a cell sit together in the order, so a flagged cell is flagged whole.
    """
    order = np.argsort(rank)
    w = weight[:, order]
    return {
        "area": np.cumsum(w * o.area_m2[order], axis=1),
        "events": np.cumsum(w * o.events[order], axis=1),
        "hits": np.cumsum(w * (o.events[order] >= 1), axis=1),
        "cells": np.cumsum(w, axis=1),
    }


def _at_share(curves: dict[str, np.ndarray], share: float) -> dict[str, np.ndarray]:
    """Every running total where the flagged area first reaches ``share`` of the total."""
    area = curves["area"]
    # Positions with zero weight repeat the previous total: take the first reaching position.
    index = (area < share * area[:, -1:] * (1 - 1e-12)).sum(axis=1, keepdims=True)
    return {name: np.take_along_axis(c, index, axis=1)[:, 0] for name, c in curves.items()}


def _pooled(outcomes: list[Outcome], weight: np.ndarray) -> dict[str, np.ndarray]:
    """Every yardstick pooled over the periods, per draw (rows of ``weight``)."""
    draws = len(weight)
    total = {"events": np.zeros(draws), "area": np.zeros(draws)}
    sums = {
        (kind, share, name): np.zeros(draws)
        for kind in ("model", "best")
        for share in SHARES
        for name in ("events", "area", "hits", "cells")
    }
    squared, entries = np.zeros(draws), np.zeros(draws)
    for o in outcomes:
        for kind, rank in (("model", o.rank), ("best", o.best_rank)):
            curves = _curves(o, rank, weight)
            for share in SHARES:
                for name, value in _at_share(curves, share).items():
                    sums[(kind, share, name)] += value
        total["events"] += curves["events"][:, -1]
        total["area"] += curves["area"][:, -1]
        error = ((o.probability - (o.observed >= 1)) ** 2).sum(axis=1)
        squared += weight @ error
        entries += weight.sum(axis=1) * o.probability.shape[1]
    values: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for share in SHARES:
            percent = round(share * 100)
            model, best = (
                {n: sums[(kind, share, n)] for n in ("events", "area", "hits", "cells")}
                for kind in ("model", "best")
            )
            pai = (model["events"] / total["events"]) / (model["area"] / total["area"])
            ideal = (best["events"] / total["events"]) / (best["area"] / total["area"])
            values[f"pai_{percent}"] = pai
            values[f"pei_{percent}"] = pai / ideal
            values[f"hit_rate_{percent}"] = model["hits"] / model["cells"]
        values["brier"] = squared / entries
    return values


def score(
    outcomes: list[Outcome], *, bootstrap: int = BOOTSTRAP, seed: int = 0
) -> dict[str, Estimate]:
    """The yardsticks of METRICS pooled over ``outcomes``, each with a bootstrap interval."""
    cells = len(outcomes[0].events)
    point = _pooled(outcomes, np.ones((1, cells)))
    rng = np.random.default_rng(seed)
    samples: dict[str, list[np.ndarray]] = {name: [] for name in METRICS}
    for begin in range(0, bootstrap, DRAWS_AT_ONCE):
        size = min(DRAWS_AT_ONCE, bootstrap - begin)
        draws = rng.integers(0, cells, (size, cells))
        weight = np.zeros((size, cells))
        np.add.at(weight, (np.repeat(np.arange(size), cells), draws.ravel()), 1.0)
        for name, values in _pooled(outcomes, weight).items():
            if name in samples:
                samples[name].append(values)
    result = {}
    for name in METRICS:
        drawn = np.concatenate(samples[name]) if samples[name] else np.zeros(0)
        drawn = drawn[np.isfinite(drawn)]
        low, high = np.percentile(drawn, [2.5, 97.5]) if len(drawn) else (np.nan, np.nan)
        result[name] = Estimate(float(point[name][0]), float(low), float(high))
    return result


def has_skill(scores: dict[str, Estimate]) -> bool:
    """Measured skill: the PAI at 5 % of the area has its whole 95 % interval above 1."""
    return bool(scores[f"pai_{round(SKILL_SHARE * 100)}"].low > 1.0)
