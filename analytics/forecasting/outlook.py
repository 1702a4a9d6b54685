"""The next period's early warning: flagged cells with expected counts, probability and why.

This is what the map layer, the briefing and notifications read: ``outlook(history)`` on arrays,
``area_outlook(area, start)`` from the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from analytics.forecasting.backtest import BacktestRow
from analytics.forecasting.data import MONTH, ForecastInputError, History, load_history, step_start
from analytics.forecasting.models import DEFAULT_MODEL, lag_values, make_models
from analytics.forecasting.yardsticks import SKILL_SHARE, flagged_count, ranks
from gridmap.models import Area

TOP_GROUPS = 3
TOP_DRIVERS = 2


@dataclass
class GroupOutlook:
    """One category group of a flagged cell."""

    group: str
    expected: float
    probability: float


@dataclass
class FlaggedCell:
    """A cell to watch: what is expected, how likely, and the lags behind it."""

    rank: int  # 1 = first flagged
    key: str
    name: str
    village: str
    area_m2: float
    expected: float  # all groups
    probability: float  # P(at least one matter of any group)
    groups: list[GroupOutlook]  # the groups expected most, at most TOP_GROUPS
    lags: dict[str, float]  # the cell's lag features (all groups), in matters
    drivers: list[str] = field(default_factory=list)  # the lags that raised it most (GLM)


@dataclass
class Outlook:
    """The flagged cells of one period and one model."""

    start: dt.date
    step: str
    model: str
    share: float  # of the area asked for
    flagged_share: float  # of the area flagged (whole cells)
    cells: list[FlaggedCell]
    skill: BacktestRow | None = None  # the model's backtest, when one was run


def outlook(history: History, *, model: str = DEFAULT_MODEL, share: float = SKILL_SHARE) -> Outlook:
    """Fit ``model`` on ``history``, forecast the next period and flag ``share`` of the area."""
    start = history.next_start()
    forecaster = make_models([model])[model].fit(history)
    forecast = forecaster.predict(start)
    order = np.argsort(ranks(forecast.cell_score(history.area_m2)))
    k = flagged_count(history.area_m2[order], share)
    top = order[:k]
    lags = lag_values(history)
    cells = []
    for position, i in enumerate(top, start=1):
        expected = forecast.expected[i]
        probability = forecast.probability[i]
        by_group = np.argsort(-expected)[:TOP_GROUPS]
        drivers = []
        if forecast.drivers:
            # Contributions weighted by the groups' expected counts: the cell's main reasons.
            weight = expected / expected.sum() if expected.sum() else expected
            pushed = {name: float(values[i] @ weight) for name, values in forecast.drivers.items()}
            drivers = [n for n, v in sorted(pushed.items(), key=lambda kv: -kv[1]) if v > 0]
        cells.append(
            FlaggedCell(
                rank=position,
                key=history.keys[i],
                name=history.names[i],
                village=history.villages[i],
                area_m2=float(history.area_m2[i]),
                expected=float(expected.sum()),
                probability=float(1 - np.prod(1 - probability)),
                groups=[
                    GroupOutlook(history.groups[g], float(expected[g]), float(probability[g]))
                    for g in by_group
                ],
                lags={name: float(values[i].sum()) for name, values in lags.items()},
                drivers=drivers[:TOP_DRIVERS],
            )
        )
    return Outlook(
        start=start,
        step=history.step,
        model=model,
        share=share,
        flagged_share=float(history.area_m2[top].sum() / history.area_m2.sum()),
        cells=cells,
    )


def area_history(
    area: Area, start: dt.date, *, step: str = MONTH, h3_resolution: int | None = None
) -> History:
    """The history of ``area`` up to the period starting at (or holding) ``start``."""
    end = step_start(start, step)
    history = load_history(area, end=end, step=step, h3_resolution=h3_resolution)
    if history.counts.sum() == 0:
        raise ForecastInputError(
            _("No matters in %(code)s before %(start)s.") % {"code": area.code, "start": start}
        )
    return history


def area_outlook(
    area: Area,
    start: dt.date,
    *,
    step: str = MONTH,
    model: str = DEFAULT_MODEL,
    share: float = SKILL_SHARE,
    h3_resolution: int | None = None,
) -> Outlook:
    """The outlook of ``area`` for the period holding ``start``, from its matters before it."""
    history = area_history(area, start, step=step, h3_resolution=h3_resolution)
    return outlook(history, model=model, share=share)
