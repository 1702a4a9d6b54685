"""A self-exciting (near-repeat) model in the spirit of Mohler et al. (2011), on the count cube.

Rate of cell i, group g in period t:

    λ[t, i, g] = a_i · b_g  +  θ_own · S[t, i, g]  +  θ_nb · (W S[t])[i, g]

with S[t] = Σ_k (1 − ω) ω^(k−1) · counts[t − k] the geometrically decayed past of the cell itself
(computed by the recursion S[t] = (1 − ω) counts[t − 1] + ω S[t − 1]) and W the row-normalised
contiguity the hot spots use.
The background a_i · b_g is a cell effect times a group effect. Fitted by expectation-maximisation
on the last 24 periods (the whole record drives them): each period's matters are shared among the
background, their own cell's past and the neighbours' past in proportion to the three terms; the
rates are then what was shared to each term over its exposure, and ω follows from the mean lag of
the triggered share (the mean of a geometric lag is 1 / (1 − ω)).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from analytics.forecasting.base import Fitted, Forecast, moment_dispersion, poisson_probability
from analytics.forecasting.data import ForecastInputError, History
from analytics.forecasting.features import neighbour_mean

ITERATIONS = 40
TOLERANCE = 1e-4  # stop when the three rates move less than this in one step
WINDOW = 24  # periods whose matters are shared out (the whole record drives them)
PRIOR = 0.5  # pseudo-matters per cell, so a cell without matters keeps a small background


def decayed(counts: np.ndarray, omega: float) -> tuple[np.ndarray, np.ndarray]:
    """S (decayed past) and M (decayed past weighted by lag) for every period, and one beyond."""
    periods = len(counts)
    s = np.zeros((periods + 1, *counts.shape[1:]))
    m = np.zeros_like(s)
    for t in range(1, periods + 1):
        s[t] = (1 - omega) * counts[t - 1] + omega * s[t - 1]
        m[t] = (1 - omega) * counts[t - 1] + omega * (m[t - 1] + s[t - 1])
    return s, m


def _spread(neighbours, x: np.ndarray) -> np.ndarray:
    """W applied to every period of a periods × cells × groups array."""
    return np.stack([neighbours @ layer for layer in x])


class SelfExciting(Fitted):
    """Background per cell × group plus near-repeats in the cell and its neighbours."""

    name = "hawkes"
    baseline = False

    def _fit(self, history: History) -> None:
        if history.periods < 2:
            raise ForecastInputError("A model needs at least two periods of history.")
        counts = history.counts.astype(float)
        self.neighbours = neighbour_mean(history.adjacency)
        cells = counts.shape[1]
        first = max(1, history.periods - WINDOW)  # the first period only drives the later ones
        y = counts[first:]
        fitted = len(y)
        # Start: each cell's share of all matters times each group's matters per period.
        a = (counts.sum(axis=(0, 2)) + PRIOR) / (counts.sum() + PRIOR * cells)
        b = np.maximum(y.sum(axis=(0, 1)) / fitted, 1e-6)
        own, near, omega = 0.2, 0.2, 0.5
        self.iterations = 0
        while self.iterations < ITERATIONS:
            self.iterations += 1
            previous = np.array([own, near, omega])
            s, m = decayed(counts, omega)
            s_own, m_own = s[first:-1], m[first:-1]
            s_nb, m_nb = _spread(self.neighbours, s_own), _spread(self.neighbours, m_own)
            background = a[:, None] * b[None, :]
            rate = background + own * s_own + near * s_nb
            share = np.divide(y, rate, out=np.zeros_like(y), where=rate > 0)
            to_background = (share * background).sum(axis=0)  # cells × groups
            to_own = (share * own * s_own).sum()
            to_near = (share * near * s_nb).sum()
            lag = (share * (own * m_own + near * m_nb)).sum()
            own = to_own / max(s_own.sum(), 1e-12)
            near = to_near / max(s_nb.sum(), 1e-12)
            # Background: the rank-1 cell × group split of what was shared to it.
            a = (to_background.sum(axis=1) + PRIOR) / (fitted * b.sum())
            b = np.maximum(to_background.sum(axis=0) / (fitted * a.sum()), 1e-6)
            triggered = to_own + to_near
            if triggered > 1e-9:
                omega = float(np.clip(1 - triggered / max(lag, triggered), 0.0, 0.95))
            if np.abs(np.array([own, near, omega]) - previous).max() < TOLERANCE:
                break
        self.a, self.b, self.own, self.near, self.omega = a, b, own, near, omega
        rate = a[:, None] * b[None, :] + own * s_own + near * s_nb
        self.dispersion = moment_dispersion(y, rate)

    def _predict(self, start: dt.date) -> Forecast:
        counts = self.history.counts.astype(float)
        s, _m = decayed(counts, self.omega)
        background = self.a[:, None] * self.b[None, :]
        own = self.own * s[-1]
        near = self.near * (self.neighbours @ s[-1])
        expected = background + own + near
        drivers = {"background": background, "near_repeat_own": own, "near_repeat_neighbours": near}
        return Forecast(
            start, expected, poisson_probability(expected, self.dispersion), drivers=drivers
        )
