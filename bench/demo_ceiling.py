"""Benchmark: how well could any forecast do on the demo? Prints figures only.

The demo's matters are drawn from known rates (incidents/demo/: seasons, population weights, the
persistent hot cells, road placement, near-repeat follow-ons). Ranking the cells by those true
rates — what a model that knew the generator would forecast — gives the ceiling of the PAI a
forecast can reach on the loaded demo, to set beside the backtest of `manage.py forecast`:

- ``oracle-background``: the expected count of each cell and group from the background rates
  (season × place × hot cell of that year; road-placed matters by the road's density);
- ``oracle-near-repeat``: that, with the background less its follow-on share, plus the follow-ons
  still due from every matter before the month (in the matter's own cell) and those of the month's
  own matters (half of them, on average, fall in the month).

Both are scored with the backtest's yardsticks over the same last 12 months as
`manage.py forecast --backtest`, next to the KDE baseline for reference.

Run: .venv/bin/python bench/demo_ceiling.py [--seed 2026]
(needs the demo county and matters loaded the same day with the same seed: make demo)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.forecasting.backtest import BACKTEST_PERIODS  # noqa: E402
from analytics.forecasting.base import poisson_probability  # noqa: E402
from analytics.forecasting.baselines import ProspectiveKDE  # noqa: E402
from analytics.forecasting.data import MONTH, load_history, step_start  # noqa: E402
from analytics.forecasting.groups import group_index  # noqa: E402
from analytics.forecasting.yardsticks import outcome, score  # noqa: E402
from gridmap.models import Area  # noqa: E402
from incidents.demo.catalogue import CATEGORY_SPECS, SEASONS  # noqa: E402
from incidents.demo.grids import load_grids  # noqa: E402
from incidents.demo.plan import (  # noqa: E402
    DAYS,
    DEMO_YEARS,
    KIND_OF,
    Stream,
    grid_weights,
    plan_years,
    rng_for,
)
from incidents.demo.roads import points_near_roads  # noqa: E402
from incidents.demo.structure import FOLLOW_ON_DAYS, THEMES, hot_factors  # noqa: E402
from incidents.models import Incident  # noqa: E402

COUNTY = "621122000000"
ROAD_SAMPLE = 40_000


def road_density(grids, scale_m: float, rng: np.random.Generator) -> np.ndarray:
    """Share of road-placed matters (at ``scale_m`` from the road) that fall in each cell."""
    lons, lats = points_near_roads(rng, ROAD_SAMPLE, scale_m)
    cells = grids.locate(lons, lats)
    counts = np.bincount(cells[cells >= 0], minlength=len(grids)).astype(float)
    return counts / counts.sum()


def background(grids, hot, roads, start: dt.date, first: dt.date, *, less_follow_ons: bool):
    """Expected matters per cell × group in the month from ``start``, from the background rates."""
    year = int(np.clip((start + dt.timedelta(days=14) - first).days // DAYS, 0, DEMO_YEARS - 1))
    expected = np.zeros((len(grids), 12))
    for spec in CATEGORY_SPECS:
        weights = grid_weights(spec, grids) * hot[:, THEMES.index(spec.theme), year]
        weights = (1 - spec.road_share) * weights / weights.sum()
        if spec.road_share:
            weights += spec.road_share * roads[spec.code]
        season = np.array(SEASONS[spec.season])
        rate = spec.per_year / 12 * season[start.month - 1] / season.mean()
        if less_follow_ons:  # the background's share; the follow-ons are added by the caller
            rate *= (1 - spec.follow_on) * (1 + 0.5 * spec.follow_on)
        expected[:, group_index(spec.code, KIND_OF[spec.code])] += rate * weights
    return expected


def due_follow_ons(matters, cells: int, start: dt.datetime, end: dt.datetime) -> np.ndarray:
    """Follow-ons expected in [start, end) from the matters before ``start``, in their cells.

    ``matters``: arrays of intake time (s), cell, group and follow-on mean of every matter.
    """
    at, cell, group, mean = matters
    before = at < start.timestamp()
    a = (start.timestamp() - at[before]) / 86400 / FOLLOW_ON_DAYS
    b = (end.timestamp() - at[before]) / 86400 / FOLLOW_ON_DAYS
    expected = np.zeros((cells, 12))
    np.add.at(expected, (cell[before], group[before]), mean[before] * (np.exp(-a) - np.exp(-b)))
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    tz = timezone.get_current_timezone()
    last = Incident.objects.filter(synthetic=True).aggregate(last=Max("received_at"))["last"]
    if last is None:
        sys.exit("no demo matters: make demo first")
    today = timezone.localtime(last).date()
    grids = load_grids()
    seeds = plan_years(grids, today=today, tz=tz, seed=args.seed)
    loaded = Incident.objects.filter(synthetic=True).count()
    print(f"plan of {today} (seed {args.seed}): {len(seeds)} matters; loaded: {loaded}")
    history = load_history(Area.objects.get(code=COUNTY), end=step_start(today, MONTH))
    index = {code: i for i, code in enumerate(grids.codes)}
    order = np.array([index[key] for key in history.keys])  # history's cells in grid-table rows
    hot = hot_factors(grids, DEMO_YEARS, rng_for(args.seed, Stream.HOT))
    first = today - dt.timedelta(days=DAYS * DEMO_YEARS - 1)
    rng = np.random.default_rng(0)
    roads = {
        spec.code: road_density(grids, spec.road_scale_m, rng)
        for spec in CATEGORY_SPECS
        if spec.road_share
    }
    matters = (
        np.array([m.received_at.timestamp() for m in seeds]),
        np.array([m.grids[0] for m in seeds]),
        np.array([group_index(m.spec.code, m.kind) for m in seeds]),
        np.array([m.spec.follow_on for m in seeds]),
    )
    targets = range(max(3, history.periods - BACKTEST_PERIODS), history.periods)
    runs: dict[str, list] = {"kde": [], "oracle-background": [], "oracle-near-repeat": []}
    for t in targets:
        start = history.starts[t]
        begin = dt.datetime.combine(start, dt.time(), tzinfo=tz)
        end = dt.datetime.combine(step_start(start, MONTH, 1), dt.time(), tzinfo=tz)
        kde = ProspectiveKDE().fit(history.before(t)).predict(start).expected
        plain = background(grids, hot, roads, start, first, less_follow_ons=False)[order]
        repeats = background(grids, hot, roads, start, first, less_follow_ons=True)
        repeats = (repeats + due_follow_ons(matters, len(grids), begin, end))[order]
        for name, expected in (
            ("kde", kde),
            ("oracle-background", plain),
            ("oracle-near-repeat", repeats),
        ):
            cell_score = expected.sum(axis=1) / history.area_m2
            probability = poisson_probability(expected)
            runs[name].append(outcome(cell_score, history.area_m2, probability, history.counts[t]))
    print(f"{len(targets)} months from {history.starts[targets[0]]:%Y-%m}")
    print("model\tPAI 1%\tPAI 5%\tPAI 10%\tPEI 5%")
    for name, outcomes in runs.items():
        s = score(outcomes)
        cells = [f"{s[m].value:.2f} [{s[m].low:.2f}–{s[m].high:.2f}]"
                 for m in ("pai_1", "pai_5", "pai_10", "pei_5")]  # fmt: skip
        print("\t".join([name, *cells]))
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
