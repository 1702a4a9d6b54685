"""The structure real county records have and fixed weights lack: hot cells and near-repeats.

- **Persistent hot cells.** Matters concentrate in a few places far beyond what population
  explains — a market, a construction site, a block of old housing on bottled gas, a village with
  an old boundary quarrel, an unstable slope — and those places stay hot for years (the "law of
  crime concentration", Weisburd 2015). Each cell gets a log-normal factor per *theme* (what kind
  of place draws the category: households, land, business, old housing, slopes, roads,
  petitions), part shared by all themes (a cell that is troubled in general) and part its own;
  the factor drifts a little from one year to the next.
- **Near-repeat follow-ons.** A matter brings more of its kind nearby in the following weeks: a
  boundary argued over at ploughing brings the next field's owner, unpaid wages at one site bring
  the rest of the crew, a gas leak brings an inspection that finds more, a slide brings cracks
  on the same slope, a petitioner comes back. Each matter has on average ``follow_on`` (its
  category's) follow-ons — a branching process, so follow-ons have their own — placed an
  exponential distance (mean ``FOLLOW_ON_DISTANCE_M``) from it, which keeps most in its cell and
  the rest in the cells around, after an exponential delay (mean ``FOLLOW_ON_DAYS``).

The figures are plausible, not measured: they are stated in docs/demo-data.md.
"""

from __future__ import annotations

import numpy as np

from incidents.demo.grids import GridTable
from incidents.demo.roads import to_metric, to_wgs84

THEMES: tuple[str, ...] = (
    "households",
    "land",
    "business",
    "old-housing",
    "slopes",
    "roads",
    "petitions",
)
HOT_SD = 0.9  # log-sd of a cell's factor: the top 5 % of cells draw ≥ 2.9 × their weight's share
HOT_SHARED = 0.5  # share of the log-variance common to all themes of a cell
HOT_DRIFT_SD = 0.25  # log-sd of the change from one year to the next
FOLLOW_ON_DAYS = 14.0  # mean delay of a follow-on after the matter that brings it
FOLLOW_ON_MAX_DAYS = 120  # a later one is no longer the same affair
FOLLOW_ON_DISTANCE_M = 200.0  # mean distance from the matter that brings it


def hot_factors(grids: GridTable, years: int, rng: np.random.Generator) -> np.ndarray:
    """Each cell's factor per theme and year (cells × themes × years), mean 1 over cells.

    log factor = HOT_SD · (√s · shared + √(1 − s) · own) + a random walk of HOT_DRIFT_SD a year,
    s = HOT_SHARED; the factor multiplies the cell's population weight.
    """
    cells, themes = len(grids), len(THEMES)
    shared = rng.standard_normal((cells, 1))
    own = rng.standard_normal((cells, themes))
    base = HOT_SD * (np.sqrt(HOT_SHARED) * shared + np.sqrt(1 - HOT_SHARED) * own)
    steps = HOT_DRIFT_SD * rng.standard_normal((cells, themes, years))
    steps[..., 0] = 0.0  # the first year is the base itself
    logs = base[..., None] + np.cumsum(steps, axis=2)
    factors = np.exp(logs)
    return factors / factors.mean(axis=0, keepdims=True)


def follow_on_places(
    grids: GridTable,
    points: list[tuple[float, float]],
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """For each parent point, a follow-on's cell and point (cell -1 where it falls outside)."""
    lons = np.array([p[0] for p in points], dtype=float)
    lats = np.array([p[1] for p in points], dtype=float)
    x, y = to_metric(lons, lats)
    angle = rng.uniform(0, 2 * np.pi, len(points))
    distance = rng.exponential(FOLLOW_ON_DISTANCE_M, len(points))
    new_lons, new_lats = to_wgs84(x + distance * np.cos(angle), y + distance * np.sin(angle))
    cells = grids.locate(new_lons, new_lats)
    return cells, [(float(a), float(b)) for a, b in zip(new_lons, new_lats, strict=True)]


def follow_on_delays(count: int, rng: np.random.Generator) -> np.ndarray:
    """Days after the parent (fractional), exponential, cut at FOLLOW_ON_MAX_DAYS."""
    return np.minimum(rng.exponential(FOLLOW_ON_DAYS, count), FOLLOW_ON_MAX_DAYS)
