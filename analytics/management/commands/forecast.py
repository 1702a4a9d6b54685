"""manage.py forecast --area 621122 --month 2026-11 [--week] [--h3 RES] [--backtest] [--model M]
[--store]."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics.forecasting.backtest import backtest, format_table
from analytics.forecasting.baselines import baseline_models
from analytics.forecasting.data import MONTH, WEEK, ForecastInputError
from analytics.forecasting.models import DEFAULT_MODEL
from analytics.forecasting.outlook import area_history, outlook
from analytics.forecasting.store import Made, save_outlook
from analytics.forecasting.yardsticks import SKILL_SHARE
from analytics.management.commands.briefing import find_area
from analytics.periods import PeriodError, parse_period
from gridmap.models import Area


class Command(BaseCommand):
    help = (
        "Forecasts where matters will come in a month (or the week starting in it): the cells "
        "flagged for 5 % of the area; --backtest scores every model on the 12 periods before; "
        "--store keeps the month's outlook with its backtest for the map, briefing and warnings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="area code, e.g. 621122 for the county")
        parser.add_argument("--month", required=True, help="the month to forecast, e.g. 2026-11")
        parser.add_argument(
            "--week", action="store_true", help="forecast the first week starting in that month"
        )
        parser.add_argument("--backtest", action="store_true", help="also print the backtest")
        parser.add_argument(
            "--store",
            action="store_true",
            help="store the month's outlook and its backtest (once) and notify the townships",
        )
        parser.add_argument("--model", default=DEFAULT_MODEL, help="glm (default), hgb, last, …")
        parser.add_argument(
            "--share", type=float, default=SKILL_SHARE, help="share of the area to flag (0.05)"
        )
        parser.add_argument(
            "--h3", type=int, metavar="RES", help="forecast per H3 cell at this resolution (e.g. 8)"
        )
        parser.add_argument(
            "--limit", type=int, default=20, help="flagged cells to print (20; 0: all)"
        )

    def _checked_start(self, options: dict) -> dt.date:
        """The first day of the period to forecast; CommandError for input that makes no sense."""
        try:
            period = parse_period(options["month"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        if period.kind != "month":
            raise CommandError(_("Give a month, e.g. 2026-11."))
        if options["h3"] is not None and not 5 <= options["h3"] <= 10:
            raise CommandError(_("H3 resolutions from 5 to 10 are offered."))
        if options["store"] and (options["week"] or options["h3"] is not None):
            raise CommandError(_("Only monthly outlooks of grid cells are stored."))
        if not 0 < options["share"] < 1:
            raise CommandError(_("The share of the area is between 0 and 1, e.g. 0.05."))
        start = period.start
        if options["week"]:  # the first Monday in the month
            start += dt.timedelta(days=(7 - start.weekday()) % 7)
        return start

    def handle(self, *args, **options) -> None:
        start = self._checked_start(options)
        area = find_area(options["area"])
        step = WEEK if options["week"] else MONTH
        started = time.perf_counter()
        try:
            history = area_history(area, start, step=step, h3_resolution=options["h3"])
            self.stderr.write(
                _(
                    "History: %(periods)d periods × %(cells)d cells × %(groups)d groups, "
                    "%(matters)d matters"
                )
                % {
                    "periods": history.periods,
                    "cells": history.cells,
                    "groups": len(history.groups),
                    "matters": int(history.counts.sum()),
                }
            )
            result = outlook(history, model=options["model"], share=options["share"])
            table = None
            if options["backtest"] or options["store"]:
                table = backtest(
                    history,
                    models=[*baseline_models(), options["model"]],
                    progress=lambda line: self.stderr.write(f"backtest {line}"),
                )
        except ForecastInputError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "%(area)s, %(step)s from %(start)s, model %(model)s: %(cells)d cells flagged, "
                "%(share).1f %% of the area"
            )
            % {
                "area": area.name,
                "step": pgettext("forecast step", "month") if step == MONTH else _("week"),
                "start": result.start,
                "model": result.model,
                "cells": len(result.cells),
                "share": 100 * result.flagged_share,
            }
        )
        shown = result.cells[: options["limit"] or None]
        for cell in shown:
            groups = ", ".join(f"{g.group} {g.expected:.2f}" for g in cell.groups)
            self.stdout.write(
                f"{cell.rank:>4} {cell.key} {cell.name}: {cell.expected:.2f}, "
                f"P(≥1) {cell.probability:.0%}; {groups}; {', '.join(cell.drivers) or '-'}"
            )
        if len(shown) < len(result.cells):
            self.stdout.write(_("… and %(more)d more") % {"more": len(result.cells) - len(shown)})
        if table is not None:
            self.stdout.write(
                "\n"
                + _("Backtest, %(count)d periods (%(first)s … %(last)s); * = model")
                % {"count": len(table.starts), "first": table.starts[0], "last": table.starts[-1]}
            )
            self.stdout.write(format_table(table))
            pai = table.row(result.model).scores["pai_5"]
            best = table.best_baseline()
            self.stdout.write(
                _(
                    "%(model)s: %(verdict)s (PAI at 5 %% %(pai).2f, interval %(low).2f–%(high).2f; "
                    "best baseline %(best)s %(best_pai).2f, gain ×%(gain).2f)"
                )
                % {
                    "model": result.model,
                    "verdict": _(table.verdict(result.model)),
                    "pai": pai.value,
                    "low": pai.low,
                    "high": pai.high,
                    "best": best.model,
                    "best_pai": best.scores["pai_5"].value,
                    "gain": table.gain(result.model),
                }
            )
        seconds = time.perf_counter() - started
        if options["store"]:
            self._store(area, Made(history, result, table, seconds))
        self.stderr.write(_("Done in %(seconds).1f s.") % {"seconds": seconds})

    def _store(self, area: Area, made: Made) -> None:
        """Keep the outlook (once per area and month) and say what happened."""
        try:
            stored = save_outlook(area=area, made=made)
        except ForecastInputError as error:
            raise CommandError(str(error)) from error
        month = made.outlook.start.strftime("%Y-%m")
        if stored == "busy":
            raise CommandError(
                _("The outlook of %(area)s for %(month)s is being stored by another run.")
                % {"area": area.code, "month": month}
            )
        if stored == "exists":
            self.stdout.write(
                _("The outlook of %(area)s for %(month)s was stored before; left as it is.")
                % {"area": area.code, "month": month}
            )
            return
        self.stdout.write(
            _("Stored the outlook of %(area)s for %(month)s: %(cells)d cells, %(verdict)s.")
            % {
                "area": area.code,
                "month": month,
                "cells": len(made.outlook.cells),
                "verdict": _(stored.verdict),
            }
        )
