"""A period still running is counted through today and compared with as many days (issue 20)."""

from __future__ import annotations

import datetime as dt

from analytics.periods import parse_period


def test_a_running_month_is_cut_at_today_and_its_previous_month_at_the_same_day():
    month = parse_period("2026-12").as_of(dt.date(2026, 12, 5))

    assert (month.start, month.end, month.incomplete, month.days) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 6),
        True,
        5,
    )
    before = month.previous()
    assert (before.start, before.end, before.days) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 6),
        5,
    )
    assert before.label == "2026-11"


def test_a_month_over_is_left_whole():
    month = parse_period("2026-11").as_of(dt.date(2026, 12, 5))

    assert not month.incomplete
    assert month.previous().end == dt.date(2026, 11, 1)


def test_a_running_quarter_compares_with_as_many_days_of_the_last_one_never_more():
    quarter = parse_period("2026Q1").as_of(dt.date(2026, 3, 31))  # 90 days; Q4 2025 has 92

    assert quarter.previous().start == dt.date(2025, 10, 1)
    assert quarter.previous().days == 90
    month = parse_period("2026-03").as_of(dt.date(2026, 3, 31))  # 31 days; February has 28
    assert month.previous().end == dt.date(2026, 3, 1)
    assert not month.previous().incomplete
