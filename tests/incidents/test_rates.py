"""Rates of an area subtree over a period: exact counts, None for empty denominators, bounds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import Incident
from incidents.rates import Rates, area_rates, monthly_rates, rates_by_child
from tests.factories import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH, intake_request

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
COUNTY, TOWNSHIP_A, TOWNSHIP_B = "621122000000", "621122100000", "621122101000"
MARCH = dt.datetime(2026, 3, 1, tzinfo=LOCAL)
APRIL = dt.datetime(2026, 4, 1, tzinfo=LOCAL)


def day(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=LOCAL)


@pytest.fixture
def matter(people):
    """Take in an ordinary matter at ``received`` (due a day later) and drive it as told.

    ``result`` resolve/fail it, then ``handled`` sets its handling time; ``satisfaction`` adds the
    follow-up visit by another person, ``followed`` its time (default: a day after handling).
    """
    staff, visitor = people["county"], people["admin"]

    def build(received, *, point=IN_GRID_A1_SOUTH, result=None, handled=None, **visit):
        request = intake_request(points=[point])
        incident = services.take_in(request=request, reporter=staff, now=received).incident
        if result is None:
            return incident
        for action in (services.assess, services.route, services.start):
            action(incident_id=incident.pk, actor=staff)
        finish = services.resolve if result == "resolved" else services.mark_unresolved
        finish(incident_id=incident.pk, actor=staff, outcome="已调处")
        times = {"handled_at": handled}
        if "satisfaction" in visit:
            services.follow_up(
                incident_id=incident.pk, actor=visitor, satisfaction=visit["satisfaction"]
            )
            times["followed_up_at"] = visit.get("followed", handled + dt.timedelta(days=1))
        Incident.objects.filter(pk=incident.pk).update(**times)
        return incident

    return build


def test_counts_and_rates_of_a_township_in_a_month(network, matter):
    matter(day(3, 2), result="resolved", handled=day(3, 2, 12), satisfaction="satisfied")
    matter(day(3, 3), result="resolved", handled=day(3, 10), satisfaction="basically")
    matter(day(3, 4), result="unresolved", handled=day(3, 4, 15), satisfaction="dissatisfied")
    matter(day(3, 5), result="resolved", handled=day(3, 5, 11))
    matter(day(3, 6))

    rates = area_rates(area=network[TOWNSHIP_A], start=MARCH, end=APRIL)

    assert rates == Rates(
        received=5,
        handled=4,
        resolved=3,
        unresolved=1,
        on_time=3,
        followed_up=3,
        satisfied=1,
        basically=1,
        dissatisfied=1,
    )
    assert rates.success_rate == 0.75
    assert rates.on_time_rate == 0.75
    assert rates.follow_up_rate == 0.75
    assert rates.satisfaction_rate == pytest.approx(2 / 3)


def test_empty_period_has_no_rates(network, matter):
    matter(day(3, 2), result="resolved", handled=day(3, 2, 12))

    rates = area_rates(area=network[COUNTY], start=APRIL, end=day(5, 1, 0))

    assert rates == Rates()
    assert rates.as_dict()["success_rate"] is None
    assert rates.satisfaction_rate is None


def test_handled_matters_without_follow_up_have_no_satisfaction_rate(network, matter):
    matter(day(3, 2), result="resolved", handled=day(3, 2, 12))

    rates = area_rates(area=network[COUNTY], start=MARCH, end=APRIL)

    assert rates.success_rate == 1.0
    assert rates.follow_up_rate == 0.0
    assert rates.satisfaction_rate is None


def test_matters_of_another_township_are_left_out(network, matter):
    matter(day(3, 2))
    matter(day(3, 3), point=IN_GRID_B1_SOUTH)

    assert area_rates(area=network[TOWNSHIP_A], start=MARCH, end=APRIL).received == 1
    assert area_rates(area=network[COUNTY], start=MARCH, end=APRIL).received == 2


def test_area_may_be_given_by_its_code(network, matter):
    matter(day(3, 3), point=IN_GRID_B1_SOUTH)

    by_code = area_rates(area=TOWNSHIP_B, start=MARCH, end=APRIL)

    assert by_code == area_rates(area=network[TOWNSHIP_B], start=MARCH, end=APRIL)
    assert by_code.received == 1


def test_period_start_is_inclusive_and_end_exclusive(network, matter):
    matter(MARCH)
    matter(APRIL)

    assert area_rates(area=network[COUNTY], start=MARCH, end=APRIL).received == 1


def test_dates_mean_local_midnight(network, matter):
    matter(MARCH)

    rates = area_rates(area=network[COUNTY], start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 2))

    assert rates.received == 1


def test_matter_handled_in_the_period_counts_though_received_before(network, matter):
    matter(day(2, 27), result="resolved", handled=day(3, 1, 10))

    rates = area_rates(area=network[COUNTY], start=MARCH, end=APRIL)

    assert (rates.received, rates.handled, rates.on_time) == (0, 1, 0)


def test_visit_before_the_last_handling_is_not_a_follow_up(network, matter):
    matter(
        day(3, 2),
        result="resolved",
        handled=day(3, 20),
        satisfaction="dissatisfied",
        followed=day(3, 5),
    )

    rates = area_rates(area=network[COUNTY], start=MARCH, end=APRIL)

    assert (rates.handled, rates.followed_up, rates.dissatisfied) == (1, 0, 0)


def test_incidents_argument_narrows_what_is_counted(network, matter):
    kept = matter(day(3, 2))
    matter(day(3, 3))

    rates = area_rates(
        area=network[COUNTY], start=MARCH, end=APRIL, incidents=Incident.objects.filter(pk=kept.pk)
    )

    assert rates.received == 1


def test_rates_per_township_list_every_township(network, matter):
    matter(day(3, 2), result="resolved", handled=day(3, 2, 12))
    matter(day(3, 3))

    rows = rates_by_child(area=network[COUNTY], start=MARCH, end=APRIL)

    assert [(row.area.code, row.rates.received, row.rates.resolved) for row in rows] == [
        (TOWNSHIP_A, 2, 1),
        (TOWNSHIP_B, 0, 0),
    ]


def test_rates_per_village_take_two_queries_whatever_the_number_of_villages(network, matter):
    matter(day(3, 2))
    matter(day(3, 3), point=IN_GRID_B1_SOUTH)

    with CaptureQueriesContext(connection) as captured:
        rows = rates_by_child(area=network[TOWNSHIP_A], start=MARCH, end=APRIL)

    assert [(row.area.code, row.rates.received) for row in rows] == [
        ("621122100001", 1),
        ("621122100002", 0),
    ]
    assert len(captured) == 2


def test_grid_has_no_children_to_compare(network):
    with pytest.raises(ValueError, match="no children"):
        rates_by_child(area=network["621122100001001"], start=MARCH, end=APRIL)


def test_monthly_series_counts_intake_and_handling_in_their_own_months(network, matter):
    matter(day(3, 20), result="resolved", handled=day(4, 2))

    series = monthly_rates(area=network[COUNTY], start=day(2, 1, 0), end=day(5, 1, 0))

    assert [(m.month, m.rates.received, m.rates.handled) for m in series] == [
        (dt.date(2026, 2, 1), 0, 0),
        (dt.date(2026, 3, 1), 1, 0),
        (dt.date(2026, 4, 1), 0, 1),
    ]


def test_monthly_series_cuts_months_in_local_time(network, matter):
    # 16:30 UTC on 28 February is 00:30 on 1 March in Longxi.
    matter(dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC))

    series = monthly_rates(area=network[COUNTY], start=day(2, 1, 0), end=APRIL)

    assert [(m.month.month, m.rates.received) for m in series] == [(2, 0), (3, 1)]
