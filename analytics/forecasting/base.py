"""The one interface every forecaster has: ``fit(history)`` then ``predict(start)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from django.utils.translation import gettext as _

from analytics.forecasting.data import ForecastInputError, History


@dataclass
class Forecast:
    """Expected count and P(at least one) per cell × group for one period.

    ``score`` ranks cells for flagging (default: expected matters over all groups per m²);
    ``drivers`` maps a feature name to its value (or contribution) per cell × group, where the
    model has one.
    """

    start: dt.date
    expected: np.ndarray  # cells × groups
    probability: np.ndarray  # cells × groups
    score: np.ndarray | None = None  # cells
    drivers: dict[str, np.ndarray] = field(default_factory=dict)

    def cell_score(self, area_m2: np.ndarray) -> np.ndarray:
        """The per-cell ranking score: the model's own, else expected matters per m²."""
        if self.score is not None:
            return self.score
        return self.expected.sum(axis=1) / area_m2


class Forecaster(Protocol):
    """What the backtest and the outlook need of a model."""

    name: str
    baseline: bool

    def fit(self, history: History) -> Forecaster: ...

    def predict(self, start: dt.date) -> Forecast: ...


def poisson_probability(expected: np.ndarray, dispersion: float = 0.0) -> np.ndarray:
    """P(N ≥ 1) for a Poisson mean, or a negative binomial with variance μ + αμ² when α > 0."""
    mu = np.clip(np.asarray(expected, dtype=float), 0.0, None)
    if dispersion <= 1e-9:
        return -np.expm1(-mu)
    return 1.0 - (1.0 + dispersion * mu) ** (-1.0 / dispersion)


def moment_dispersion(observed: np.ndarray, expected: np.ndarray) -> float:
    """The negative-binomial α by moments: Σ((y − μ)² − y) / Σμ², never below 0."""
    mu = np.asarray(expected, dtype=float)
    y = np.asarray(observed, dtype=float)
    denominator = float((mu**2).sum())
    if denominator <= 0:
        return 0.0
    return max(0.0, float(((y - mu) ** 2 - y).sum()) / denominator)


class Fitted:
    """Shared bookkeeping: the history a forecaster was fitted on, and the period it can predict."""

    name = ""
    baseline = True

    def fit(self, history: History) -> Fitted:
        if history.periods < 1:
            raise ForecastInputError(_("A forecast needs at least one period of history."))
        self.history = history
        self._fit(history)
        return self

    def _fit(self, history: History) -> None:
        """Learn what the model needs (nothing for most baselines)."""

    def predict(self, start: dt.date) -> Forecast:
        """The forecast of the period starting at ``start`` (the one right after the history)."""
        expected = self.history.next_start()
        if start != expected:
            raise ForecastInputError(
                _("This model forecasts the period from %(expected)s, not %(start)s.")
                % {"expected": expected, "start": start}
            )
        return self._predict(start)

    def _predict(self, start: dt.date) -> Forecast:
        raise NotImplementedError
