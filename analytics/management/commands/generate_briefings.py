"""manage.py generate_briefings [--date 2026-12-01] [--period 2026-11]: the scheduled briefings.

Without options it makes what is due today (the 1st: last month's, and last quarter's in
January, April, July and October); ``--date`` runs as if on that day; ``--period`` makes that
month or quarter whatever the day. Briefings already stored are left alone.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.periods import PeriodError, parse_period
from analytics.scheduled import SCHEDULED_KINDS, generate_briefings, generate_period_briefings


class Command(BaseCommand):
    help = "Stores the monthly (and quarterly) briefings of the county and each township."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="run as if today were this day (YYYY-MM-DD)")
        parser.add_argument(
            "--period", help="make this month (2026-11) or quarter (2026Q3) whatever the day"
        )

    def handle(self, *args, **options) -> None:
        say = self.stderr.write
        if options["period"]:
            try:
                period = parse_period(options["period"])
            except PeriodError as error:
                raise CommandError(str(error)) from error
            if period.kind not in SCHEDULED_KINDS:
                raise CommandError(
                    _("Stored briefings are of a month (2026-11) or a quarter (2026Q3).")
                )
            report = generate_briefings(periods=[period], progress=say)
        else:
            today = self._date(options["date"])
            report = generate_period_briefings(today=today, progress=say)
            if not report.periods:
                self.stdout.write(
                    _("Nothing is due on %(day)s: briefings are made on the 1st of a month.")
                    % {"day": today.isoformat()}
                )
                return
        self.stdout.write(
            _(
                "Periods %(periods)s: %(created)d stored, %(existing)d already there, "
                "%(busy)d being made elsewhere, %(failed)d failed, in %(seconds).1f s."
            )
            % {
                "periods": ", ".join(report.periods),
                "created": len(report.created),
                "existing": report.existing,
                "busy": report.busy,
                "failed": len(report.failed),
                "seconds": report.seconds,
            }
        )
        if report.failed:
            # A non-zero exit: the job runner records the run as failed and it is run again.
            names = ", ".join(f"{f.area_code} {f.period}" for f in report.failed)
            raise CommandError(_("Briefings that failed: %(names)s.") % {"names": names})

    @staticmethod
    def _date(value: str | None) -> dt.date:
        if not value:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(
                _("Not a date: %(value)r. Use YYYY-MM-DD.") % {"value": value}
            ) from error
