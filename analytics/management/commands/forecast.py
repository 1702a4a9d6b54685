"""manage.py forecast --area 621122 --month 2026-11 [--week] [--backtest] [--model glm]."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from analytics.forecasting.backtest import backtest, format_table
from analytics.forecasting.data import MONTH, WEEK, ForecastInputError
from analytics.forecasting.models import DEFAULT_MODEL
from analytics.forecasting.outlook import area_history, outlook
from analytics.forecasting.yardsticks import SKILL_SHARE
from analytics.management.commands.briefing import find_area
from analytics.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = (
        "Forecasts where matters will come in a month (or the week starting in it): the cells "
        "flagged for 5 % of the area; --backtest scores every model on the 12 periods before."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="area code, e.g. 621122 for the county")
        parser.add_argument("--month", required=True, help="the month to forecast, e.g. 2026-11")
        parser.add_argument(
            "--week", action="store_true", help="forecast the first week starting in that month"
        )
        parser.add_argument("--backtest", action="store_true", help="also print the backtest")
        parser.add_argument("--model", default=DEFAULT_MODEL, help="glm (default), hgb, last, …")
        parser.add_argument(
            "--share", type=float, default=SKILL_SHARE, help="share of the area to flag (0.05)"
        )

    def handle(self, *args, **options) -> None:
        try:
            period = parse_period(options["month"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        if period.kind != "month":
            raise CommandError(_("Give a month, e.g. 2026-11."))
        if not 0 < options["share"] < 1:
            raise CommandError(_("The share of the area is between 0 and 1, e.g. 0.05."))
        area = find_area(options["area"])
        step = WEEK if options["week"] else MONTH
        start = period.start
        if step == WEEK:  # the first Monday in the month
            start += dt.timedelta(days=(7 - start.weekday()) % 7)
        started = time.perf_counter()
        try:
            history = area_history(area, start, step=step)
            self.stderr.write(
                f"history: {history.periods} {step}s × {history.cells} cells × "
                f"{len(history.groups)} groups, {int(history.counts.sum())} matters"
            )
            result = outlook(history, model=options["model"], share=options["share"])
            table = None
            if options["backtest"]:
                table = backtest(
                    history, progress=lambda line: self.stderr.write(f"backtest {line}")
                )
        except ForecastInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{area.name} {result.start} ({step}), model {result.model}: "
            f"{len(result.cells)} cells flagged, {result.flagged_share:.1%} of the area"
        )
        for cell in result.cells:
            groups = ", ".join(f"{g.group} {g.expected:.2f}" for g in cell.groups)
            self.stdout.write(
                f"{cell.rank:>3} {cell.key} {cell.name}: expected {cell.expected:.2f}, "
                f"P(≥1) {cell.probability:.0%}; {groups}; why: {', '.join(cell.drivers) or '-'}"
            )
        if table is not None:
            months = f"{table.starts[0]} … {table.starts[-1]}"
            self.stdout.write(f"\nbacktest, {len(table.starts)} {step}s ({months}); * = model")
            self.stdout.write(format_table(table))
            row = table.row(result.model)
            verdict = "measured skill" if row.skill else "no measured skill"
            best = table.best_baseline()
            self.stdout.write(
                f"{result.model}: {verdict} (PAI 5 % {row.scores['pai_5'].value:.2f}, "
                f"interval {row.scores['pai_5'].low:.2f}–{row.scores['pai_5'].high:.2f}); "
                f"best baseline {best.model} {best.scores['pai_5'].value:.2f}"
            )
        self.stderr.write(f"done in {time.perf_counter() - started:.1f} s")
