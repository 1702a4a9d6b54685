"""Briefing periods: a month ``2026-10``, a quarter ``2026Q3`` or a year ``2026``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period label that is not a month, a quarter or a year."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole calendar months [start, end): ``kind`` is month, quarter or year.

    A period still running (or one compared with it) is cut short: ``end`` is then the day after
    the last day counted and ``full_end`` the calendar end, so every figure covers the same
    number of days as the one it is compared with (issue 20: five days of this month against all
    of last month read as a fall of 78 %).
    """

    kind: str
    start: dt.date
    end: dt.date
    full_end: dt.date | None = None

    @property
    def incomplete(self) -> bool:
        """Only the first ``days`` days of the calendar period are counted."""
        return self.full_end is not None

    @property
    def days(self) -> int:
        """Days counted."""
        return (self.end - self.start).days

    @property
    def months(self) -> int:
        """Calendar months the period spans (a cut-short period: its whole months)."""
        end = self.full_end or self.end
        return (end.year - self.start.year) * 12 + end.month - self.start.month

    @property
    def last_month(self) -> dt.date:
        """The first day of the period's last calendar month."""
        return add_months(self.full_end or self.end, -1)

    def as_of(self, today: dt.date) -> Period:
        """The period counted through ``today`` when it is still running, else itself."""
        if self.full_end is None and self.start <= today < self.end:
            return Period(self.kind, self.start, today + dt.timedelta(days=1), self.end)
        return self

    @property
    def label(self) -> str:
        """The label it was parsed from (``2026-10``, ``2026Q3``, ``2026``)."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def calendar_title(self) -> str:
        """The period as a Chinese briefing names it (2026年10月, 2026年第3季度, 2026年度)."""
        if self.kind == "month":
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return _("%(year)d Q%(quarter)d") % {
                "year": self.start.year,
                "quarter": (self.start.month - 1) // 3 + 1,
            }
        return _("Year %(year)d") % {"year": self.start.year}

    @property
    def title(self) -> str:
        """The period as a briefing names it, with the days counted when cut short."""
        if not self.incomplete:
            return self.calendar_title
        return _("%(period)s, days 1-%(days)d") % {"period": self.calendar_title, "days": self.days}

    def previous(self) -> Period:
        """The period of the same kind just before this one; cut short to the same number of days
        when this one is."""
        start = add_months(self.start, -self.months)
        if not self.incomplete:
            return Period(self.kind, start, self.start)
        end = min(start + dt.timedelta(days=self.days), self.start)
        return Period(self.kind, start, end, self.start if end < self.start else None)


def parse_period(text: str) -> Period:
    """A Period from ``2026-10``, ``2026Q3`` or ``2026``; PeriodError names the accepted forms."""
    value = (text or "").strip()
    if match := _MONTH.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            start = dt.date(year, month, 1)
            return Period("month", start, add_months(start, 1))
    elif match := _QUARTER.match(value):
        start = dt.date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return Period("quarter", start, add_months(start, 3))
    elif match := _YEAR.match(value):
        start = dt.date(int(value), 1, 1)
        return Period("year", start, add_months(start, 12))
    raise PeriodError(
        _("Not a period: %(value)r. Use a month (2026-10), a quarter (2026Q3) or a year (2026).")
        % {"value": value}
    )


def months_ending(last_month: dt.date, count: int) -> list[Period]:
    """``count`` consecutive one-month periods, the last one starting at ``last_month``."""
    first = add_months(last_month, 1 - count)
    return [Period("month", add_months(first, i), add_months(first, i + 1)) for i in range(count)]


def default_period(today: dt.date) -> Period:
    """The last whole month before ``today``."""
    start = add_months(today.replace(day=1), -1)
    return Period("month", start, add_months(start, 1))
