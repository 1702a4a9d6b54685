"""Generated histories on a square lattice (no database): for the tests and the benchmark.

- ``poisson``: every cell, group and period the same Poisson rate — nothing to forecast;
- ``self_exciting``: a discrete-time Hawkes (near-repeat) process in the spirit of Mohler et al.
  (2011): a persistent background rate per cell and group (log-normal across cells) and, for
  every matter, offspring in the following periods — ``branching`` of them on average, a share
  ``stay`` in the same cell and the rest shared among the queen neighbours, their timing
  geometric with ratio ``decay``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy import sparse

from analytics.forecasting.data import MONTH, History, step_start
from analytics.gistar import adjacency_from_pairs

CELL_M = 1000.0


def lattice(side: int) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Centroids (metres) and queen adjacency of a ``side`` × ``side`` lattice of 1 km cells."""
    rows, cols = np.divmod(np.arange(side * side), side)
    xy = np.column_stack([cols, rows]).astype(float) * CELL_M
    pairs = []
    for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
        r2, c2 = rows + dr, cols + dc
        ok = (r2 >= 0) & (r2 < side) & (c2 >= 0) & (c2 < side)
        pairs.append(np.column_stack([np.flatnonzero(ok), (r2 * side + c2)[ok]]))
    return xy, adjacency_from_pairs(side * side, np.concatenate(pairs))


def _history(counts: np.ndarray, side: int, first: dt.date) -> History:
    xy, adjacency = lattice(side)
    cells = side * side
    keys = [f"L{i:06d}" for i in range(cells)]
    return History(
        counts=counts,
        starts=[step_start(first, MONTH, t) for t in range(len(counts))],
        step=MONTH,
        keys=keys,
        names=keys,
        villages=[""] * cells,
        area_m2=np.full(cells, CELL_M * CELL_M),
        xy=xy,
        adjacency=adjacency,
        groups=tuple(f"g{g}" for g in range(counts.shape[2])),
    )


def poisson(
    *, side: int, groups: int, periods: int, rate: float, seed: int, first=dt.date(2024, 1, 1)
) -> History:
    """A homogeneous Poisson history: the same ``rate`` for every cell, group and period."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate, (periods, side * side, groups)).astype(np.int32)
    return _history(counts, side, first)


def self_exciting(
    *,
    side: int,
    groups: int,
    periods: int,
    background: float,
    spread: float,
    branching: float,
    stay: float,
    decay: float,
    seed: int,
    first=dt.date(2024, 1, 1),
) -> History:
    """A self-exciting history with the given parameters (see the module's docstring).

    ``background`` is the mean background rate per cell, group and period; ``spread`` the
    standard deviation of its log across cells (persistent hot and quiet cells).
    """
    rng = np.random.default_rng(seed)
    cells = side * side
    _xy, adjacency = lattice(side)
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    # Column-stochastic spreading: a matter's offspring stay or go to a neighbour.
    move = sparse.diags(np.full(cells, stay)) + (1 - stay) * adjacency @ sparse.diags(1 / degree)
    log_mu = rng.normal(-0.5 * spread**2, spread, (cells, 1))
    mu = background * np.exp(log_mu) * np.ones((1, groups))
    counts = np.zeros((periods, cells, groups), dtype=np.int32)
    excitation = np.zeros((cells, groups))
    for t in range(periods):
        counts[t] = rng.poisson(mu + excitation)
        # Offspring of period t arrive from t + 1 on: the first share (1 - decay), then geometric.
        excitation = decay * excitation + branching * (1 - decay) * (move @ counts[t])
    return _history(counts, side, first)
