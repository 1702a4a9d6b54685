"""The regression models and the registry of every forecaster (baselines, ``hawkes`` included).

- ``glm``: a Poisson regression (log link, small ridge penalty) of the period's count on the lag
  features of ``features`` — own lags, the cell's other groups, the neighbours' lags — with group
  intercepts and a yearly cycle per group; P(≥ 1) from a negative binomial whose α is the
  moment estimate on the training rows.
- ``hgb``: gradient-boosted trees with Poisson loss (scikit-learn HistGradientBoosting) on the
  same lags, the group as a categorical feature and the season as sin/cos.

Both learn from the last ``TRAIN_PERIODS`` periods of the history (each row: the counts before a
period → that period's count), at most ``MAX_ROWS`` rows (``TREE_ROWS`` for the trees) sampled at
random with a fixed seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils.translation import gettext as _
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import PoissonRegressor

from analytics.forecasting.base import (
    Fitted,
    Forecast,
    moment_dispersion,
    poisson_probability,
)
from analytics.forecasting.baselines import baseline_models
from analytics.forecasting.data import ForecastInputError, History, season_of
from analytics.forecasting.features import FEATURES, design, lag_features, neighbour_mean
from analytics.forecasting.hawkes import SelfExciting

TRAIN_PERIODS = 12
MAX_ROWS = 400_000
TREE_ROWS = 100_000  # trees cost more per row; a sample this size is plenty for 10 features
SEED = 20260


def training_rows(
    history: History, *, periods: int = TRAIN_PERIODS, max_rows: int = MAX_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Design rows and targets for the last ``periods`` periods that have a period before them."""
    neighbours = neighbour_mean(history.adjacency)
    targets = range(max(1, history.periods - periods), history.periods)
    if not len(targets):
        raise ForecastInputError(_("A model needs at least two periods of history."))
    per_period = history.cells * len(history.groups)
    take = min(per_period, max_rows // len(targets))
    rng = np.random.default_rng(SEED)
    xs, ys = [], []
    for t in targets:
        # Sample before building the rows, so a province never holds every row at once.
        rows = None if take == per_period else np.sort(rng.choice(per_period, take, replace=False))
        lags = lag_features(history.counts, t, neighbours)
        xs.append(design(lags, season_of(history.starts[t], history.step), rows))
        target = history.counts[t].reshape(-1)
        ys.append(target if rows is None else target[rows])
    return np.concatenate(xs), np.concatenate(ys).astype(float)


def next_rows(history: History, start: dt.date, chunk: int = 200_000):
    """Design rows for the period after ``history``, in pieces of ``chunk`` rows."""
    lags = lag_features(history.counts, history.periods, neighbour_mean(history.adjacency))
    fraction = season_of(start, history.step)
    total = history.cells * len(history.groups)
    for begin in range(0, total, chunk):
        yield design(lags, fraction, np.arange(begin, min(total, begin + chunk)))


class PoissonGLM(Fitted):
    """Poisson regression on lags, neighbours' lags and seasonal group terms."""

    name = "glm"
    baseline = False

    def __init__(self, alpha: float = 1e-4) -> None:
        self.alpha = alpha

    def _fit(self, history: History) -> None:
        x, y = training_rows(history)
        self.mean = x.mean(axis=0)
        self.scale = np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
        self.model = PoissonRegressor(alpha=self.alpha, solver="newton-cholesky", max_iter=100)
        self.model.fit((x - self.mean) / self.scale, y)
        self.dispersion = moment_dispersion(y, self.model.predict((x - self.mean) / self.scale))

    def _predict(self, start: dt.date) -> Forecast:
        h = self.history
        cells, groups = h.cells, len(h.groups)
        means, contributions = [], []
        for x in next_rows(h, start):
            z = (x - self.mean) / self.scale
            means.append(self.model.predict(z))
            # What each lag adds to the log rate against an average cell: the "why" of a flag.
            contributions.append(z[:, : len(FEATURES)] * self.model.coef_[: len(FEATURES)])
        expected = np.concatenate(means).reshape(cells, groups)
        contribution = np.concatenate(contributions)
        drivers = {
            name: contribution[:, k].reshape(cells, groups) for k, name in enumerate(FEATURES)
        }
        return Forecast(
            start, expected, poisson_probability(expected, self.dispersion), drivers=drivers
        )


def _tree_rows(x: np.ndarray, groups: int) -> np.ndarray:
    """Lags, the group index (categorical) and the season as sin/cos, from design rows."""
    lags = x[:, : len(FEATURES)]
    season = x[:, len(FEATURES) :]
    group = season[:, :groups].argmax(axis=1)
    sin = season[:, groups : 2 * groups].sum(axis=1)
    cos = season[:, 2 * groups :].sum(axis=1)
    return np.column_stack([lags, group, sin, cos])


class BoostedTrees(Fitted):
    """HistGradientBoosting with Poisson loss on the same lags, group and season."""

    name = "hgb"
    baseline = False

    def _fit(self, history: History) -> None:
        groups = len(history.groups)
        x, y = training_rows(history, max_rows=TREE_ROWS)
        rows = _tree_rows(x, groups)
        categorical = np.zeros(rows.shape[1], dtype=bool)
        categorical[len(FEATURES)] = True
        self.model = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=60,
            learning_rate=0.15,
            max_leaf_nodes=15,
            min_samples_leaf=50,
            categorical_features=categorical,
            early_stopping=False,
            random_state=SEED,
        )
        self.model.fit(rows, y)
        self.dispersion = moment_dispersion(y, self.model.predict(rows))

    def _predict(self, start: dt.date) -> Forecast:
        h = self.history
        groups = len(h.groups)
        parts = [self.model.predict(_tree_rows(x, groups)) for x in next_rows(h, start)]
        expected = np.concatenate(parts).reshape(h.cells, groups)
        return Forecast(start, expected, poisson_probability(expected, self.dispersion))


REAL_MODELS = ("glm", "hgb", "hawkes")
DEFAULT_MODEL = "glm"


def make_models(names: list[str] | None = None) -> dict[str, Fitted]:
    """Fresh forecasters by name (all of them when ``names`` is empty), baselines first."""
    every: dict[str, Fitted] = {
        **baseline_models(),
        "glm": PoissonGLM(),
        "hgb": BoostedTrees(),
        "hawkes": SelfExciting(),
    }
    if not names:
        return every
    unknown = [name for name in names if name not in every]
    if unknown:
        raise ForecastInputError(
            _("No model named %(unknown)s; the models are %(models)s.")
            % {"unknown": ", ".join(unknown), "models": ", ".join(every)}
        )
    return {name: every[name] for name in names}


def lag_values(history: History) -> dict[str, np.ndarray]:
    """The lags behind the next period's forecast, in counts (cells × groups per feature)."""
    lags = np.expm1(
        lag_features(history.counts, history.periods, neighbour_mean(history.adjacency))
    )
    return {name: lags[..., k] for k, name in enumerate(FEATURES)}
