"""Rates of an area subtree over a period, as briefings quote them.

Definitions (period [start, end), start inclusive, end exclusive):

- received: matters taken in during the period (``received_at``);
- handled: matters whose handling ended with a result during the period (``handled_at``); the
  other counts below are of these handled matters:
- resolved / unresolved: by result;
- on_time: handled no later than the due time;
- followed_up: followed up after that handling (``followed_up_at`` ≥ ``handled_at``; a matter
  reopened and handled again is not counted on its earlier visit), with satisfied / basically /
  dissatisfied by the visit's answer.

Rates: success = resolved / handled, on time = on_time / handled, follow-up = followed_up /
handled, satisfaction = (satisfied + basically) / followed_up; None when the denominator is 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gridmap.choices import AreaLevel, code_prefix, level_for_code
from gridmap.models import Area
from incidents.choices import Result, Satisfaction
from incidents.models import Incident

# The stored chain field that holds the child of an area of each level (no join, no lookup).
CHILD_FIELD = {
    AreaLevel.COUNTY: "township",
    AreaLevel.TOWNSHIP: "village",
    AreaLevel.VILLAGE: "grid",
}

Moment = dt.datetime | dt.date


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Rates:
    """Counts of one subtree and period, and the rates derived from them."""

    received: int = 0
    handled: int = 0
    resolved: int = 0
    unresolved: int = 0
    on_time: int = 0
    followed_up: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0

    @property
    def success_rate(self) -> float | None:
        return _ratio(self.resolved, self.handled)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.handled)

    @property
    def follow_up_rate(self) -> float | None:
        return _ratio(self.followed_up, self.handled)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.satisfied + self.basically, self.followed_up)

    def as_dict(self) -> dict[str, int | float | None]:
        """Counts and rates, for JSON and templates."""
        return {
            **asdict(self),
            "success_rate": self.success_rate,
            "on_time_rate": self.on_time_rate,
            "follow_up_rate": self.follow_up_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass(frozen=True)
class AreaRates:
    area: Area
    rates: Rates


@dataclass(frozen=True)
class MonthRates:
    month: dt.date  # the first day of the month, local time
    rates: Rates


def _moment(value: Moment) -> dt.datetime:
    """A datetime as given; a date as local midnight at its start."""
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def _subtree_q(area: Area | str) -> Q:
    """Matters whose grid lies in ``area``'s subtree; ``area`` may be given by its code."""
    if isinstance(area, Area):
        prefix = area.code_prefix
    else:
        level = level_for_code(area)
        if level is None:
            raise ValueError(f"not an area code: {area!r}")
        prefix = code_prefix(area, level)
    return Q(grid__code__startswith=prefix)


def _received_counts(start: dt.datetime, end: dt.datetime) -> dict[str, Count]:
    return {"received": Count("pk", filter=Q(received_at__gte=start, received_at__lt=end))}


def _handled_counts(start: dt.datetime, end: dt.datetime) -> dict[str, Count]:
    handled = Q(handled_at__gte=start, handled_at__lt=end) & ~Q(result="")
    followed = handled & Q(followed_up_at__gte=F("handled_at"))
    return {
        "handled": Count("pk", filter=handled),
        "resolved": Count("pk", filter=handled & Q(result=Result.RESOLVED)),
        "unresolved": Count("pk", filter=handled & Q(result=Result.UNRESOLVED)),
        "on_time": Count("pk", filter=handled & Q(handled_at__lte=F("due_at"))),
        "followed_up": Count("pk", filter=followed),
        "satisfied": Count("pk", filter=followed & Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("pk", filter=followed & Q(satisfaction=Satisfaction.BASICALLY)),
        "dissatisfied": Count("pk", filter=followed & Q(satisfaction=Satisfaction.DISSATISFIED)),
    }


def _in_period(start: dt.datetime, end: dt.datetime) -> Q:
    return Q(received_at__gte=start, received_at__lt=end) | Q(
        handled_at__gte=start, handled_at__lt=end
    )


def _base(
    incidents: QuerySet[Incident] | None, area: Area | str, start: dt.datetime, end: dt.datetime
) -> QuerySet[Incident]:
    queryset = Incident.objects.all() if incidents is None else incidents
    # The model's default ordering would be added to GROUP BY; aggregates need none.
    return queryset.filter(_subtree_q(area), _in_period(start, end)).order_by()


def area_rates(
    *,
    area: Area | str,
    start: Moment,
    end: Moment,
    incidents: QuerySet[Incident] | None = None,
) -> Rates:
    """Counts and rates of ``area``'s subtree over [start, end), in one aggregate query.

    ``incidents`` narrows the matters counted (pass visible_incidents(user) for a user's view).
    """
    begin, finish = _moment(start), _moment(end)
    counts = _base(incidents, area, begin, finish).aggregate(
        **_received_counts(begin, finish), **_handled_counts(begin, finish)
    )
    return Rates(**counts)


def rates_by_child(
    *,
    area: Area,
    start: Moment,
    end: Moment,
    incidents: QuerySet[Incident] | None = None,
) -> list[AreaRates]:
    """Rates per child of ``area`` (townships of a county, villages of a township, grids of a
    village), grouped by the matters' stored chain in one query; children without matters too.
    """
    field = CHILD_FIELD.get(area.level)
    if field is None:
        raise ValueError(f"a {area.level} has no children to compare")
    begin, finish = _moment(start), _moment(end)
    grouped = (
        _base(incidents, area, begin, finish)
        .values(f"{field}_id")
        .annotate(**_received_counts(begin, finish), **_handled_counts(begin, finish))
    )
    by_child = {row.pop(f"{field}_id"): Rates(**row) for row in grouped}
    children = Area.objects.filter(Q(parent=area, valid_to__isnull=True) | Q(pk__in=list(by_child)))
    return [
        AreaRates(child, by_child.get(child.pk, Rates())) for child in children.order_by("code")
    ]


def monthly_rates(
    *,
    area: Area | str,
    start: Moment,
    end: Moment,
    incidents: QuerySet[Incident] | None = None,
) -> list[MonthRates]:
    """Rates of ``area``'s subtree per calendar month (local time) from ``start`` to ``end``.

    Received matters count in the month of intake, handled ones in the month of handling: two
    grouped queries, one per date, merged; months without matters are listed with zeros.
    """
    begin, finish = _moment(start), _moment(end)
    base = _base(incidents, area, begin, finish)
    received = (
        base.filter(received_at__gte=begin, received_at__lt=finish)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(**_received_counts(begin, finish))
    )
    handled = (
        base.filter(handled_at__gte=begin, handled_at__lt=finish)
        .annotate(month=TruncMonth("handled_at"))
        .values("month")
        .annotate(**_handled_counts(begin, finish))
    )
    counts: dict[dt.date, dict[str, int]] = {}
    for row in [*received, *handled]:
        month = timezone.localtime(row.pop("month")).date()
        counts.setdefault(month, {}).update(row)
    return [MonthRates(month, Rates(**counts.get(month, {}))) for month in _months(begin, finish)]


def _months(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """The first days of the local calendar months that [start, end) touches."""
    month = timezone.localtime(start).date().replace(day=1)
    last = timezone.localtime(end - dt.timedelta(microseconds=1)).date()
    months = []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months
