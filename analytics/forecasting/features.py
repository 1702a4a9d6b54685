"""Features of a cell × group for a target period, from the counts before it.

Own lags (last period, 3- and 12-period means, the whole record's mean), the cell's last period
over all groups, the neighbours' lags (mean over the contiguity the hot spots use) and the
season of the target period. Counts enter as log(1 + x), so a Poisson model's log link turns
them into elasticities.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

FEATURES: tuple[str, ...] = (
    "own_last",
    "own_mean3",
    "own_mean12",
    "own_record",
    "cell_all_last",
    "neighbours_last",
    "neighbours_mean3",
)


def neighbour_mean(adjacency: sparse.spmatrix) -> sparse.csr_matrix:
    """Row-normalised binary contiguity: multiplying by it averages over the neighbours."""
    a = sparse.csr_matrix(adjacency, dtype=float)
    a.data[:] = 1.0
    degree = np.asarray(a.sum(axis=1)).ravel()
    scale = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    return sparse.diags(scale) @ a


def _mean_last(counts: np.ndarray, t: int, k: int) -> np.ndarray:
    """Mean of the ``k`` periods before ``t`` (fewer at the start of the record)."""
    window = counts[max(0, t - k) : t]
    if not len(window):
        return np.zeros(counts.shape[1:])
    return window.sum(axis=0, dtype=np.float64) / len(window)


def lag_features(counts: np.ndarray, t: int, neighbours: sparse.csr_matrix) -> np.ndarray:
    """The lag features for target period ``t``: cells × groups × len(FEATURES), log1p."""
    last = counts[t - 1].astype(float) if t >= 1 else np.zeros(counts.shape[1:])
    mean3 = _mean_last(counts, t, 3)
    columns = [
        last,
        mean3,
        _mean_last(counts, t, 12),
        _mean_last(counts, t, t),
        np.repeat(last.sum(axis=1, keepdims=True), counts.shape[2], axis=1),
        neighbours @ last,
        neighbours @ mean3,
    ]
    return np.log1p(np.stack(columns, axis=-1).astype(float))


def season_rows(group: np.ndarray, fraction: float, groups: int) -> np.ndarray:
    """Per row: its group's intercept and its group's yearly cycle, 3 × groups columns."""
    one_hot = np.zeros((len(group), groups))
    one_hot[np.arange(len(group)), group] = 1.0
    angle = 2 * np.pi * fraction
    return np.concatenate([one_hot, one_hot * np.sin(angle), one_hot * np.cos(angle)], axis=1)


def design(lags: np.ndarray, fraction: float, rows: np.ndarray | None = None) -> np.ndarray:
    """Design rows (cell-major, then group) from ``lag_features`` and the target's season.

    ``rows`` picks some of the cells × groups rows, so a large area is built in pieces.
    """
    cells, groups, _k = lags.shape
    flat = lags.reshape(cells * groups, -1)
    rows = np.arange(cells * groups) if rows is None else rows
    return np.concatenate([flat[rows], season_rows(rows % groups, fraction, groups)], axis=1)
