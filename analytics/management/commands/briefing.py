"""manage.py briefing --area 621122 --period 2026-10 [--output DIR]: HTML and PDF briefing."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import briefing, render
from analytics.periods import PeriodError, default_period, parse_period
from analytics.services import AnalyticsInputError
from gridmap.choices import level_for_code
from gridmap.models import Area

STEPS = 8


def find_area(code: str) -> Area:
    """The area of a code; the county may be given by its 6-digit prefix (621122)."""
    value = (code or "").strip()
    if value.isdigit() and len(value) in (6, 9):
        value = value.ljust(12, "0")
    if level_for_code(value) is None:
        raise CommandError(_("Not an area code: %(code)r.") % {"code": code})
    area = Area.objects.filter(code=value).first()
    if area is None:
        raise CommandError(_("No area has the code %(code)s.") % {"code": value})
    return area


class Command(BaseCommand):
    help = "Writes the leadership briefing of an area and period as HTML and PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="area code, e.g. 621122 for the county")
        parser.add_argument(
            "--period", help="a month 2026-10, a quarter 2026Q3 or a year 2026 (last month)"
        )
        parser.add_argument("--output", default="var/briefings", help="folder to write into")

    def handle(self, *args, **options) -> None:
        try:
            period = (
                parse_period(options["period"])
                if options["period"]
                else default_period(timezone.localdate())
            )
        except PeriodError as error:
            raise CommandError(str(error)) from error
        area = find_area(options["area"])
        try:
            briefing.validate(area)
        except AnalyticsInputError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        step = iter(range(1, STEPS + 1))

        def progress(message: str) -> None:
            elapsed = time.perf_counter() - started
            self.stderr.write(f"[{next(step)}/{STEPS}] {message} ({elapsed:.1f} s)")

        result = briefing.build(area=area, period=period, progress=progress)
        progress(_("HTML and PDF"))
        paths = render.write(result, Path(options["output"]))
        for path in paths:
            self.stdout.write(str(path))
        self.stderr.write(
            _("Briefing of %(area)s for %(period)s written in %(seconds).1f s.")
            % {"area": area.name, "period": period.label, "seconds": time.perf_counter() - started}
        )
