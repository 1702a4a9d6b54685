"""Storing the month's early warning: fit, forecast and backtest once, keep the flagged cells.

``make_outlook`` computes (seconds; outside any transaction), ``save_outlook`` writes the rows
and the township centers' notifications in one transaction under an advisory lock and the
table's unique constraint, so a second run, a retry or two workers store nothing twice.
``store_outlook`` does both; ``store_due_outlooks`` is the monthly job's body.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _

from analytics.forecasting.backtest import BacktestTable, backtest
from analytics.forecasting.baselines import baseline_models
from analytics.forecasting.data import MONTH, ForecastInputError, History
from analytics.forecasting.models import DEFAULT_MODEL
from analytics.forecasting.outlook import Outlook, area_history, outlook
from analytics.forecasting.records import OutlookCell, StoredOutlook
from analytics.forecasting.warnings import announce_outlook
from analytics.forecasting.yardsticks import SKILL_SHARE
from gridmap.choices import AreaLevel
from gridmap.models import Area

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
SKILL_METRIC = "pai_5"


@dataclass
class Made:
    """An outlook with the backtest that measures it, ready to store."""

    history: History
    outlook: Outlook
    table: BacktestTable
    seconds: float


def make_outlook(
    area: Area,
    month: dt.date,
    *,
    model: str = DEFAULT_MODEL,
    share: float = SKILL_SHARE,
    progress: Progress | None = None,
) -> Made:
    """Fit, forecast ``month`` for ``area``'s grid cells and backtest the model (no writes)."""
    started = time.perf_counter()
    history = area_history(area, month, step=MONTH)
    result = outlook(history, model=model, share=share)
    table = backtest(
        history,
        models=[*baseline_models(), model],
        progress=(lambda line: progress(f"backtest {line}")) if progress else None,
    )
    return Made(history, result, table, time.perf_counter() - started)


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _locked(area: Area, month: dt.date) -> bool:
    """This transaction's advisory lock on (area, month); False if another worker holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"analytics.outlook:{area.pk}:{month:%Y-%m}"],
        )
        return bool(cursor.fetchone()[0])


def save_outlook(*, area: Area, made: Made) -> StoredOutlook | str:
    """Store ``made`` for ``area`` and announce it to the township centers, in one transaction.

    Returns the new row, ``"exists"`` when the month is stored already or ``"busy"`` when another
    worker holds its lock.
    """
    result, table = made.outlook, made.table
    if result.step != MONTH:
        raise ForecastInputError(_("Only monthly outlooks are stored."))
    grids = dict(
        Area.objects.filter(code__in=[c.key for c in result.cells], level=AreaLevel.GRID)
        .without_shapes()
        .values_list("code", "pk")
    )
    missing = [c.key for c in result.cells if c.key not in grids]
    if missing:
        raise ForecastInputError(
            _("Only grid cells are stored, not %(keys)s.") % {"keys": ", ".join(missing[:3])}
        )
    pai = table.row(result.model).scores[SKILL_METRIC]
    best = table.best_baseline(SKILL_METRIC)
    base = best.scores[SKILL_METRIC]
    with transaction.atomic():
        if not _locked(area, result.start):
            return "busy"
        if StoredOutlook.objects.filter(area=area, month=result.start).exists():
            return "exists"
        stored = StoredOutlook.objects.create(
            area=area,
            month=result.start,
            model=result.model,
            share=result.share,
            flagged_share=result.flagged_share,
            cell_count=made.history.cells,
            history_matters=int(made.history.counts.sum()),
            backtest_periods=len(table.starts),
            backtest_first=table.starts[0],
            backtest_last=table.starts[-1],
            pai=_finite(pai.value),
            pai_low=_finite(pai.low),
            pai_high=_finite(pai.high),
            baseline=best.model,
            baseline_pai=_finite(base.value),
            baseline_pai_low=_finite(base.low),
            baseline_pai_high=_finite(base.high),
            verdict=table.verdict(result.model),
            seconds=round(made.seconds, 2),
        )
        OutlookCell.objects.bulk_create(
            OutlookCell(
                outlook=stored,
                rank=cell.rank,
                grid_id=grids[cell.key],
                expected=cell.expected,
                score=cell.expected / cell.area_m2 * 1e6 if cell.area_m2 else 0.0,
                probability=cell.probability,
                groups=[[g.group, g.expected, g.probability] for g in cell.groups],
                lags=cell.lags,
                drivers=cell.drivers,
            )
            for cell in result.cells
        )
        announce_outlook(stored)
    return stored


def store_outlook(
    *,
    area: Area,
    month: dt.date,
    model: str = DEFAULT_MODEL,
    share: float = SKILL_SHARE,
    progress: Progress | None = None,
) -> StoredOutlook | str:
    """Make and store the outlook of ``area`` for ``month`` unless it is stored already."""
    if StoredOutlook.objects.filter(area=area, month=month.replace(day=1)).exists():
        return "exists"  # the cheap answer for a second run, before seconds of fitting
    made = make_outlook(area, month, model=model, share=share, progress=progress)
    return save_outlook(area=area, made=made)


@dataclass
class OutlookReport:
    """What a monthly run did."""

    month: dt.date
    created: list[StoredOutlook] = field(default_factory=list)
    existing: int = 0
    busy: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (area code, error)


def outlook_areas() -> list[Area]:
    """The areas forecast on schedule: every county in force (townships read their cells)."""
    return list(
        Area.objects.current().filter(level=AreaLevel.COUNTY).without_shapes().order_by("code")
    )


def store_due_outlooks(*, today: dt.date, progress: Progress | None = None) -> OutlookReport:
    """Store this month's outlook (the month holding ``today``) for every county, once each."""
    say = progress or (lambda _message: None)
    report = OutlookReport(month=today.replace(day=1))
    for area in outlook_areas():
        try:
            done = store_outlook(area=area, month=report.month, progress=progress)
        except ForecastInputError as error:
            # A county without matters yet has nothing to forecast: not a failure of the job.
            say(f"{area.code}: {error}")
            continue
        except Exception as error:
            # One county's failure must not cost the others their outlook; the job fails after.
            logger.exception("outlook of %s for %s failed", area.code, report.month)
            report.failed.append((area.code, str(error)))
            continue
        if isinstance(done, StoredOutlook):
            report.created.append(done)
            say(f"{area.code}: {len(done.cells.all())} cells stored")
        elif done == "busy":
            report.busy += 1
        else:
            report.existing += 1
    return report
