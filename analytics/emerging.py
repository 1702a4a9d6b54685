"""Emerging hot-spot classes over consecutive periods, with the Mann-Kendall trend test.

Definitions (T periods, "hot" = Gi_Bin ≥ 2, i.e. 95 % confidence after FDR), after Esri's
Emerging Hot Spot Analysis, reduced to the five classes briefings use:

- new: hot in the last period; every hot period is in the uninterrupted run that ends in the last
  period, and that run covers less than 90 % of the periods (Esri's new and consecutive);
- intensifying: hot in at least 90 % of the periods including the last, and the z-scores rise
  (Mann-Kendall, p < 0.05);
- persistent: hot in at least 90 % of the periods including the last, no significant trend;
- diminishing: hot in at least 90 % of the periods including the last, z-scores fall (p < 0.05);
- sporadic: hot in the last period and hot before, on and off (a non-hot period between).
A unit not hot in the last period has no class.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from analytics.choices import Trend

HOT_BIN = 2
MOST_PERIODS = 0.9
TREND_ALPHA = 0.05


@dataclass(frozen=True)
class MannKendall:
    s: int
    tau: float
    z: float
    p: float  # two-sided


def mann_kendall(series: np.ndarray) -> MannKendall:
    """Mann-Kendall trend test of one series (ties corrected in the variance)."""
    x = np.asarray(series, dtype=float)
    n = len(x)
    if n < 3:
        return MannKendall(0, 0.0, 0.0, 1.0)
    signs = np.sign(x[None, :] - x[:, None])
    s = int(np.triu(signs, k=1).sum())
    ties = Counter(np.round(x, 12)).values()
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    if variance <= 0 or s == 0:
        return MannKendall(s, 0.0, 0.0, 1.0)
    z = (s - math.copysign(1, s)) / math.sqrt(variance)
    return MannKendall(s, s / (n * (n - 1) / 2), z, float(2 * norm.sf(abs(z))))


def classify(bins: np.ndarray, z: np.ndarray) -> tuple[str, float | None]:
    """The trend class of one unit from its per-period bins and z-scores (oldest first)."""
    hot = np.asarray(bins) >= HOT_BIN
    periods = len(hot)
    if periods == 0 or not hot[-1]:
        return Trend.NONE, None
    test = mann_kendall(z)
    streak = streak_length(hot)
    if hot.sum() >= MOST_PERIODS * periods:
        if test.p < TREND_ALPHA:
            return (Trend.INTENSIFYING if test.s > 0 else Trend.DIMINISHING), test.tau
        return Trend.PERSISTENT, test.tau
    if hot.sum() == streak:
        return Trend.NEW, test.tau
    return Trend.SPORADIC, test.tau


def streak_length(hot: np.ndarray) -> int:
    """How many periods in a row, up to and including the last, are True."""
    count = 0
    for value in np.asarray(hot)[::-1]:
        if not value:
            break
        count += 1
    return count
