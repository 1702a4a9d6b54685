"""Rolling-origin backtest: for each of the last periods, fit on what came before, forecast it,
and score every model on the same periods (one table, models as rows)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from analytics.forecasting.baselines import baseline_models
from analytics.forecasting.data import ForecastInputError, History
from analytics.forecasting.models import DEFAULT_MODEL, make_models
from analytics.forecasting.yardsticks import (
    BOOTSTRAP,
    METRICS,
    Estimate,
    Outcome,
    has_skill,
    outcome,
    score,
)

BACKTEST_PERIODS = 12
MIN_HISTORY = 3  # periods a forecast learns from at the least; earlier targets are skipped
# A model "adds skill" when its PAI at 5 % is at least this many times the best baseline's.
GAIN_NEEDED = 1.2
# Marked for translation where they are shown (pages, the forecast command).
NO_SKILL = gettext_noop("no measured skill")
NO_GAIN = gettext_noop("skill, but no better than the baselines")
ADDS_SKILL = gettext_noop("skill beyond the baselines")


@dataclass
class BacktestRow:
    """One model's yardsticks over the backtest periods."""

    model: str
    baseline: bool
    scores: dict[str, Estimate]
    seconds: float

    @property
    def skill(self) -> bool:
        """Whether the PAI at 5 % has its interval above 1 (see yardsticks.has_skill)."""
        return has_skill(self.scores)


@dataclass
class BacktestTable:
    """The backtest as data: the periods forecast and one row per model."""

    starts: list[dt.date]
    rows: list[BacktestRow] = field(default_factory=list)

    def row(self, model: str) -> BacktestRow:
        return next(r for r in self.rows if r.model == model)

    def best_baseline(self, metric: str = "pai_5") -> BacktestRow:
        """The baseline with the highest ``metric``."""
        baselines = [r for r in self.rows if r.baseline]
        return max(baselines, key=lambda r: np.nan_to_num(r.scores[metric].value, nan=-1))

    def gain(self, model: str, metric: str = "pai_5") -> float:
        """``model``'s ``metric`` ÷ the best baseline's (nan when the baseline's is 0 or nan)."""
        best = self.best_baseline(metric).scores[metric].value
        value = self.row(model).scores[metric].value
        return value / best if best and np.isfinite(best) else float("nan")

    def verdict(self, model: str) -> str:
        """NO_SKILL (PAI interval at 5 % reaches 1), NO_GAIN (gain < GAIN_NEEDED) or ADDS_SKILL."""
        if not self.row(model).skill:
            return NO_SKILL
        return ADDS_SKILL if self.gain(model) >= GAIN_NEEDED else NO_GAIN

    def as_dicts(self) -> list[dict]:
        """Rows as plain dicts (model, baseline, skill, seconds, metric → value/low/high)."""
        return [
            {
                "model": r.model,
                "baseline": r.baseline,
                "skill": r.skill,
                "seconds": r.seconds,
                **{
                    name: {"value": e.value, "low": e.low, "high": e.high}
                    for name, e in r.scores.items()
                },
            }
            for r in self.rows
        ]


def backtest(
    history: History,
    *,
    models: list[str] | None = None,
    periods: int = BACKTEST_PERIODS,
    min_history: int = MIN_HISTORY,
    bootstrap: int = BOOTSTRAP,
    progress: Callable[[str], None] | None = None,
) -> BacktestTable:
    """Score ``models`` on the last ``periods`` periods of ``history``.

    By default the baselines and the GLM: the boosted trees scored the same as the GLM on the
    demo and the simulations at three times the cost (docs/forecasting.md), so they are scored
    only when asked for.
    """
    models = models or [*baseline_models(), DEFAULT_MODEL]
    first = max(min_history, history.periods - periods)
    targets = list(range(first, history.periods))
    if not targets:
        raise ForecastInputError(
            _("A backtest needs more than %(least)d periods of history; there are %(periods)d.")
            % {"least": min_history, "periods": history.periods}
        )
    table = BacktestTable(starts=[history.starts[t] for t in targets])
    for name in make_models(models):
        started = time.perf_counter()
        outcomes: list[Outcome] = []
        for t in targets:
            model = make_models([name])[name].fit(history.before(t))
            forecast = model.predict(history.starts[t])
            outcomes.append(
                outcome(
                    forecast.cell_score(history.area_m2),
                    history.area_m2,
                    forecast.probability,
                    history.counts[t],
                )
            )
        seconds = time.perf_counter() - started
        scores = score(outcomes, bootstrap=bootstrap)
        table.rows.append(BacktestRow(name, model.baseline, scores, seconds))
        if progress:
            progress(f"{name}: {len(targets)} periods in {seconds:.1f} s")
    return table


_HEAD = ("model", "PAI 1%", "PAI 5%", "PAI 10%", "PEI 1%", "PEI 5%", "PEI 10%", "hit 5%", "Brier")


def format_table(table: BacktestTable) -> str:
    """The table as aligned text: each yardstick as value [low–high]."""
    lines = ["\t".join(_HEAD)]
    for r in table.rows:
        cells = [r.model + ("" if r.baseline else " *")]
        for name in METRICS:
            e = r.scores[name]
            digits = 3 if name == "brier" else 2
            cells.append(f"{e.value:.{digits}f} [{e.low:.{digits}f}–{e.high:.{digits}f}]")
        lines.append("\t".join(cells))
    return "\n".join(lines)
