"""Benchmark: early-warning forecasts. Prints figures only.

1. county: the demo county's count cube from the database (one query), then fit + forecast of
   every model for the month after the data (1,922 cells × 12 groups; target ≤ 10 s for the GLM,
   cube included).
2. backtest: the 12-month rolling-origin backtest of every model on the demo county (≤ 60 s),
   with the table.
3. province: a generated self-exciting history of 100,489 cells (317 × 317 lattice of 1 km
   cells) × 12 groups × 24 months, no database; fit + forecast of the GLM, the self-exciting
   model and two baselines (target ≤ 2 minutes).

Run: .venv/bin/python bench/forecast.py [--only county|backtest|province]
(the county parts need the demo: make demo, or manage.py load_demo, load_demo_incidents and
load_demo_ledger)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.forecasting import simulate  # noqa: E402
from analytics.forecasting.backtest import backtest, format_table  # noqa: E402
from analytics.forecasting.baselines import baseline_models  # noqa: E402
from analytics.forecasting.data import MONTH, load_history, step_start  # noqa: E402
from analytics.forecasting.models import make_models  # noqa: E402
from gridmap.models import Area  # noqa: E402
from incidents.models import Incident  # noqa: E402

COUNTY = "621122000000"


def demo_history():
    """The demo county's history up to the month of its last matter (that month is forecast)."""
    area = Area.objects.get(code=COUNTY)
    last = Incident.objects.aggregate(last=Max("received_at"))["last"]
    if last is None:
        sys.exit("no matters: load the demo first (make demo)")
    target = step_start(timezone.localtime(last).date(), MONTH)
    started = time.perf_counter()
    history = load_history(area, end=target, step=MONTH)
    seconds = time.perf_counter() - started
    print(
        f"cube: {history.periods} months × {history.cells} cells × {len(history.groups)} groups, "
        f"{int(history.counts.sum())} matters, {seconds:.2f} s"
    )
    return history, seconds


def fit_and_forecast(history, names=None) -> dict[str, float]:
    """Seconds of fit + forecast of each model."""
    seconds = {}
    for name, model in make_models(names).items():
        started = time.perf_counter()
        model.fit(history).predict(history.next_start())
        seconds[name] = time.perf_counter() - started
        print(f"  {name:7} fit + forecast {seconds[name]:6.2f} s")
    return seconds


def county() -> None:
    print("1. county: fit + forecast of the month after the data")
    history, cube = demo_history()
    seconds = fit_and_forecast(history)
    print(f"  cube + glm: {cube + seconds['glm']:.2f} s (target ≤ 10 s)")


def county_backtest() -> None:
    print("2. backtest: rolling origin over the last 12 months (fewer when the record is short)")
    history, _cube = demo_history()
    started = time.perf_counter()
    table = backtest(history, models=[*baseline_models(), "glm", "hgb", "hawkes"], progress=print)
    total = time.perf_counter() - started
    default = total - table.row("hgb").seconds - table.row("hawkes").seconds
    print(
        f"  {len(table.starts)} months: {total:.1f} s with the trees, "
        f"{default:.1f} s for the default set (baselines + glm; target ≤ 60 s)"
    )
    print(format_table(table))


def province() -> None:
    print("3. province: generated self-exciting history, 317 × 317 cells × 12 groups × 24 months")
    started = time.perf_counter()
    history = simulate.self_exciting(
        side=317,
        groups=12,
        periods=24,
        background=0.01,
        spread=0.8,
        branching=0.6,
        stay=0.6,
        decay=0.5,
        seed=1,
    )
    print(
        f"  generated {int(history.counts.sum())} matters in {time.perf_counter() - started:.1f} s"
    )
    seconds = fit_and_forecast(history, ["mean12", "kde", "glm", "hawkes"])
    print(f"  glm: {seconds['glm']:.1f} s, hawkes: {seconds['hawkes']:.1f} s (target ≤ 120 s each)")


PARTS = {"county": county, "backtest": county_backtest, "province": province}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(PARTS))
    args = parser.parse_args()
    for name, part in PARTS.items():
        if args.only in (None, name):
            part()
