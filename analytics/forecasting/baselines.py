"""The strong simple forecasts a model has to beat.

- ``last``: last period's counts;
- ``mean3`` / ``mean12``: the mean of the last 3 / 12 periods;
- ``gistar``: last period's Gi* hot spots (cells ranked by the Gi* z of their total count, on
  the contiguity the hot-spot maps use; expected counts are the 3-period means);
- ``kde``: prospective kernel density — every past matter spreads over nearby cells with a
  Gaussian kernel (bandwidth 1 km, cut at 3 km) and weighs exp(−age / 2 periods).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from analytics.forecasting.base import Fitted, Forecast, poisson_probability
from analytics.forecasting.data import History
from analytics.gistar import gi_star

KDE_BANDWIDTH_M = 1000.0
KDE_CUTOFF = 3.0  # bandwidths
KDE_DECAY_PERIODS = 2.0


class MeanOf(Fitted):
    """The mean of the last ``k`` periods (k = 1: last period's counts)."""

    def __init__(self, k: int, name: str) -> None:
        self.k = k
        self.name = name

    def _predict(self, start: dt.date) -> Forecast:
        expected = self.history.counts[-self.k :].mean(axis=0).astype(float)
        return Forecast(start, expected, poisson_probability(expected))


class GiStarHotSpots(Fitted):
    """Last period's Gi* hot spots first, then the other cells by Gi* z."""

    name = "gistar"

    def _predict(self, start: dt.date) -> Forecast:
        counts = self.history.counts
        expected = counts[-3:].mean(axis=0).astype(float)
        total = counts[-1].sum(axis=1).astype(float)
        if total.sum() == 0 or np.all(total == total[0]):
            score = np.zeros(len(total))  # Gi* is undefined: every cell ties
        else:
            score = np.nan_to_num(gi_star(total, self.history.adjacency).z)
        return Forecast(start, expected, poisson_probability(expected), score=score)


def kernel_matrix(xy: np.ndarray, bandwidth: float, cutoff: float) -> sparse.csr_matrix:
    """Gaussian weights between cell centroids within ``cutoff`` bandwidths, columns summing to 1.

    Column j says how a matter in cell j spreads over the cells, so mass is kept.
    """
    tree = cKDTree(xy)
    pairs = tree.sparse_distance_matrix(tree, bandwidth * cutoff, output_type="coo_matrix")
    weights = np.exp(-0.5 * (pairs.data / bandwidth) ** 2)
    n = len(xy)
    # sparse_distance_matrix leaves out zero distances (a cell with itself): add the diagonal.
    rows = np.concatenate([pairs.row, np.arange(n)])
    cols = np.concatenate([pairs.col, np.arange(n)])
    data = np.concatenate([weights, np.ones(n)])
    kernel = sparse.csr_matrix((data, (rows, cols)), shape=(n, n))
    column_sum = np.asarray(kernel.sum(axis=0)).ravel()
    return (kernel @ sparse.diags(1.0 / column_sum)).tocsr()


class ProspectiveKDE(Fitted):
    """Decayed, spatially smoothed past counts, scaled to the decayed mean period total."""

    name = "kde"

    def __init__(
        self,
        bandwidth_m: float = KDE_BANDWIDTH_M,
        decay_periods: float = KDE_DECAY_PERIODS,
    ) -> None:
        self.bandwidth_m = bandwidth_m
        self.decay_periods = decay_periods

    def _fit(self, history: History) -> None:
        self.kernel = kernel_matrix(history.xy, self.bandwidth_m, KDE_CUTOFF)

    def _predict(self, start: dt.date) -> Forecast:
        counts = self.history.counts
        age = np.arange(len(counts), 0, -1)  # 1 for the last period
        weights = np.exp(-(age - 1) / self.decay_periods)
        weights /= weights.sum()
        decayed = np.tensordot(weights, counts.astype(float), axes=1)  # cells × groups
        expected = self.kernel @ decayed
        return Forecast(start, expected, poisson_probability(expected))


def baseline_models() -> dict[str, Fitted]:
    """A fresh instance of every baseline, by name."""
    return {
        "last": MeanOf(1, "last"),
        "mean3": MeanOf(3, "mean3"),
        "mean12": MeanOf(12, "mean12"),
        "gistar": GiStarHotSpots(),
        "kde": ProspectiveKDE(),
    }
