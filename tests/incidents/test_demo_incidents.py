"""The demo's years of matters: volume, patterns in space and time, outcomes, trails, reloads."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict

import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from accounts.choices import Role
from gridmap.choices import AreaLevel
from gridmap.demo.county import SEAT_TOWNSHIP
from gridmap.demo.reference import COUNTY_CODE
from gridmap.models import Area
from incidents.choices import OPEN_STATES, Action, EventKind, IncidentKind, State
from incidents.demo.grids import load_grids
from incidents.demo.outcomes import DUPLICATE_OUTCOME, outcome_texts
from incidents.demo.plan import DAYS, DEMO_YEARS, plan_years
from incidents.demo.roads import distance_to_roads_m
from incidents.models import HandlingUnit, Incident, IncidentEvent, Party
from incidents.queries import overdue_q, possible_duplicates
from incidents.seed import DEPARTMENTS
from incidents.services import TRANSITIONS, IntakeRequest, take_in
from tests.demo_county import demo_loaded

pytestmark = pytest.mark.django_db
LAND = ("land-forest", "homestead-housing")
WINTER = (11, 12, 1, 2)
# GB 11643 weights, written out here as an independent check of the generator's formula.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(value: str) -> bool:
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return len(value) == 18 and "10X98765432"[total % 11] == value[17]


@pytest.fixture(scope="module", autouse=True)
def demo_year(django_db_setup, django_db_blocker):
    """The demo county and its years of matters, loaded once for the module, rolled back after."""
    # All three years generated here (--all-years): the patterns are checked over the years
    # (the default writes the last year and leaves the years before to load_demo_ledger).
    with demo_loaded(django_db_blocker, "load_demo_incidents --all-years") as outputs:
        with connection.cursor() as cursor:
            # Check the load's deferred foreign keys once here; otherwise every test's teardown
            # checks them again (and its savepoint rollback puts them back).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield outputs["load_demo_incidents --all-years"]


def synthetic():
    return Incident.objects.filter(synthetic=True)


def per_day(months: tuple[int, ...], categories: tuple[str, ...], *, inside: bool) -> float:
    """Matters of ``categories`` a day, over the loaded days in (or outside) ``months``."""
    today = timezone.localdate()
    days = [today - dt.timedelta(days=back) for back in range(DAYS * DEMO_YEARS)]
    n_days = sum((day.month in months) == inside for day in days)
    in_months = Q(received_at__month__in=months)
    matters = synthetic().filter(category__code__in=categories)
    matters = matters.filter(in_months) if inside else matters.exclude(in_months)
    return matters.count() / n_days


# --- volume and place ----------------------------------------------------------------------------


def test_loads_between_3000_and_6000_matters_a_year(demo_year):
    assert 3_000 * DEMO_YEARS <= synthetic().count() <= 6_000 * DEMO_YEARS
    # The summary ends with the on-time share of handled matters, e.g. "88.4 %".
    assert re.search(r"\d+\.\d %", demo_year)


def test_matters_lie_in_the_demo_years_up_to_now():
    now = timezone.now()
    span = synthetic().aggregate(first=Min("received_at"), last=Max("received_at"))

    assert span["first"] >= now - dt.timedelta(days=DAYS * DEMO_YEARS + 1)
    assert span["first"] <= now - dt.timedelta(days=DAYS * DEMO_YEARS - 7)
    assert span["last"] <= now
    assert not IncidentEvent.objects.filter(incident__synthetic=True, at__gt=now).exists()


def test_every_matter_lies_in_its_grid_and_chain():
    outside = synthetic().filter(outside_grid=False).exclude(grid__boundary__covers=F("location"))
    wrong_chain = synthetic().exclude(village=F("grid__parent"), township=F("grid__parent__parent"))

    assert not outside.exists()
    assert not wrong_chain.exists()


def test_matters_spanning_townships_go_to_the_county_center():
    spanning = [m for m in synthetic().select_related("handling_unit") if len(m.locations) > 1]
    routed_to = {m.handling_unit.area.code for m in spanning if m.handling_unit.kind == "center"}

    assert spanning
    assert routed_to <= {COUNTY_CODE}


# --- patterns ------------------------------------------------------------------------------------


def test_land_disputes_peak_in_spring_ploughing():
    spring = per_day((3, 4, 5), LAND, inside=True)
    late_summer = per_day((8, 9, 10), LAND, inside=True)

    assert spring > 2 * late_summer


def test_fire_and_gas_hazards_peak_in_winter():
    assert per_day(WINTER, ("fire", "gas"), inside=True) > per_day(
        WINTER, ("fire", "gas"), inside=False
    )


def test_disputes_per_capita_are_higher_in_the_county_seat():
    disputes = synthetic().filter(kind=IncidentKind.DISPUTE)
    people = Area.objects.current().filter(level=AreaLevel.TOWNSHIP)
    seat_people = people.get(code=SEAT_TOWNSHIP).population
    county_people = people.aggregate(n=Sum("population"))["n"]

    seat_rate = disputes.filter(township__code=SEAT_TOWNSHIP).count() / seat_people
    county_rate = disputes.count() / county_people

    assert seat_rate > 1.1 * county_rate


def test_hazards_lie_closer_to_the_main_roads_than_random_points():
    hazards = synthetic().filter(kind=IncidentKind.HAZARD).values_list("location", flat=True)
    lons = np.array([p.x for p in hazards])
    lats = np.array([p.y for p in hazards])
    county = shapely.from_wkb(bytes(Area.objects.get(code=COUNTY_CODE).boundary.wkb))
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = county.bounds
    xs, ys = rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)
    inside = shapely.contains_xy(county, xs, ys)

    random_median = np.median(distance_to_roads_m(xs[inside], ys[inside]))
    hazard_median = np.median(distance_to_roads_m(lons, lats))

    assert hazard_median < 0.5 * random_median


# --- outcomes ------------------------------------------------------------------------------------


def test_most_handled_matters_are_handled_on_time():
    handled = synthetic().filter(handled_at__isnull=False)
    share = handled.filter(handled_at__lte=F("due_at")).count() / handled.count()

    assert 0.80 <= share <= 0.95


def test_some_open_matters_are_overdue_and_some_escalated():
    overdue = synthetic().filter(overdue_q())

    assert overdue.exists()
    assert synthetic().filter(state__in=OPEN_STATES, escalated_at__isnull=False).exists()


def test_supervised_and_leader_owned_matters_are_few():
    total = synthetic().count()
    supervised = synthetic().filter(supervised=True).count()
    owned = synthetic().filter(owner_leader__role=Role.LEADERSHIP).count()

    assert 0.01 * total <= supervised <= 0.06 * total
    assert 0.002 * total <= owned <= 0.02 * total


def test_transfers_go_to_departments_with_report_back_times_where_they_take_matters_away():
    transferred = synthetic().filter(events__action=Action.TRANSFER).distinct()
    at_departments = transferred.filter(handling_unit__kind="department")
    away = at_departments.filter(handling_unit__mode__in=["window", "report_back"])

    assert transferred.count() > 0.03 * synthetic().count()
    assert away.exists()
    assert not away.filter(report_back_due_at__isnull=True).exists()


def test_recent_matters_have_possible_duplicates():
    dispatcher = get_user_model().objects.get(username="dispatcher")
    recent = synthetic().filter(received_at__gte=timezone.now() - dt.timedelta(days=6))
    with_duplicates = [
        m
        for m in recent.select_related("category")
        if possible_duplicates(
            category=m.category, points=list(m.locations), user=dispatcher, exclude_id=m.pk
        )
    ]

    assert len(with_duplicates) >= 4


def test_parties_are_fictional_with_valid_id_numbers():
    parties = Party.objects.filter(incident__synthetic=True)
    numbers = [n for n in parties.values_list("id_number", flat=True) if n]
    phones = [p for p in parties.values_list("phone", flat=True) if p]

    assert len(numbers) > 1_000
    assert all(valid_id_number(n) and n.startswith("621122") for n in numbers)
    assert len(phones) > 1_000
    assert all(p.startswith("1990001") and len(p) == 11 for p in phones)


# --- trails --------------------------------------------------------------------------------------


def trails() -> dict[int, list[tuple]]:
    rows = IncidentEvent.objects.filter(incident__synthetic=True).order_by("incident", "at", "id")
    by_incident = defaultdict(list)
    for row in rows.values_list("incident", "kind", "action", "from_state", "to_state", "actor"):
        by_incident[row[0]].append(row[1:])
    return by_incident


def replay(events: list[tuple]) -> str:
    """The state the trail leads to; fails on a step TRANSITIONS does not allow."""
    first_kind, *_rest, first_to, _actor = events[0]
    assert (first_kind, first_to) == (EventKind.INTAKE, State.RECEIVED)
    state = State.RECEIVED
    for kind, action, from_state, to_state, _actor in events[1:]:
        if kind == EventKind.TRANSITION:
            sources, target = TRANSITIONS[action]
            assert (from_state, to_state) == (state, target)
            assert state in sources
            state = to_state
    return state


def test_trails_start_with_intake_and_follow_the_workflow():
    states = dict(synthetic().values_list("pk", "state"))
    by_incident = trails()

    assert set(by_incident) == set(states)
    assert all(replay(events) == states[pk] for pk, events in by_incident.items())


def test_follow_up_is_never_made_by_the_handler():
    handlers = dict(synthetic().filter(handler__isnull=False).values_list("pk", "handler"))
    follow_ups = IncidentEvent.objects.filter(
        incident__synthetic=True, action=Action.FOLLOW_UP
    ).values_list("incident", "actor")

    assert follow_ups
    assert all(actor != handlers.get(incident) for incident, actor in follow_ups)


def test_reopened_matters_were_followed_up_dissatisfied_just_before():
    steps = IncidentEvent.objects.filter(
        incident__synthetic=True, action__in=[Action.FOLLOW_UP, Action.REOPEN]
    ).order_by("incident", "at", "id")
    last_satisfaction: dict[int, str] = {}
    reopened = 0
    for incident, action, data in steps.values_list("incident", "action", "data"):
        if action == Action.REOPEN:
            reopened += 1
            assert last_satisfaction.get(incident) == "dissatisfied"
        else:
            last_satisfaction[incident] = data["satisfaction"]

    assert reopened > 0


# --- the command ---------------------------------------------------------------------------------


def test_same_seed_and_day_plan_the_same_year():
    grids = load_grids()
    today, tz = timezone.localdate(), timezone.get_current_timezone()
    # One year is enough to compare (and three plans of three years take a minute).
    first = plan_years(grids, today=today, tz=tz, seed=5, years=1)
    again = plan_years(grids, today=today, tz=tz, seed=5, years=1)
    other = plan_years(grids, today=today, tz=tz, seed=6, years=1)

    def key(seeds):
        return [(s.received_at, s.spec.code, s.points, s.uid, s.title) for s in seeds]

    assert key(first) == key(again)
    assert key(first) != key(other)


def test_second_run_says_already_loaded_and_writes_nothing():
    before = (synthetic().count(), IncidentEvent.objects.count(), get_user_model().objects.count())
    output = io.StringIO()

    call_command("load_demo_incidents", stdout=output)

    assert "--force" in output.getvalue()  # "already loaded (use --force …)"
    assert (synthetic().count(), IncidentEvent.objects.count(),
            get_user_model().objects.count()) == before  # fmt: skip


def test_force_replaces_the_synthetic_matters_and_keeps_real_ones():
    dispatcher = get_user_model().objects.get(username="dispatcher")
    real = take_in(
        request=IntakeRequest(
            category="neighbours",
            tier="ordinary",
            title="真实事项",
            description="不是演示数据。",
            points=[(104.634, 35.003)],
            source="window",
        ),
        reporter=dispatcher,
    ).incident
    old_ids = set(synthetic().values_list("pk", flat=True))

    call_command("load_demo_incidents", "--force", "--all-years", stdout=io.StringIO(), verbosity=0)

    new_ids = set(synthetic().values_list("pk", flat=True))
    assert new_ids
    assert not new_ids & old_ids
    assert abs(len(new_ids) - len(old_ids)) <= 5  # the same plan; a few more if time moved on
    assert Incident.objects.filter(pk=real.pk, synthetic=False).exists()
    assert real.events.count() == 1


def test_refuses_a_county_not_loaded_by_the_demo():
    Area.objects.filter(code=COUNTY_CODE).update(source="natural resources bureau 2025")

    with pytest.raises(CommandError, match="not by load_demo"):
        call_command("load_demo_incidents", stdout=io.StringIO())


def test_refuses_when_the_demo_county_is_not_loaded(monkeypatch):
    monkeypatch.setattr("incidents.demo.load.county_row", lambda: None)

    with pytest.raises(CommandError, match="not loaded"):
        call_command("load_demo_incidents", stdout=io.StringIO())


def test_synthetic_staff_cannot_log_in():
    staff = get_user_model().objects.filter(username__startswith="demo-")

    assert staff.exists()
    assert not any(user.has_usable_password() for user in staff)
    assert (
        staff.filter(role=Role.GRID_LEADER).count()
        == staff.filter(jurisdiction__level=AreaLevel.GRID).count()
    )


def test_departments_are_seated_at_the_county_center():
    units = HandlingUnit.objects.filter(code__in=[code for code, _n, _m in DEPARTMENTS])

    assert units.count() == len(DEPARTMENTS)
    assert set(units.values_list("area__code", flat=True)) == {COUNTY_CODE}
    assert dict(units.values_list("code", "mode")) == {c: m for c, _n, m in DEPARTMENTS}


def test_every_kind_and_month_is_present():
    months = synthetic().dates("received_at", "month")
    kinds = set(synthetic().values_list("kind", flat=True))

    assert len(months) >= 12 * DEMO_YEARS
    assert kinds == set(IncidentKind.values)
    assert synthetic().values("handling_unit").annotate(n=Count("id")).count() > 100


def test_every_outcome_fits_its_category():
    """A land dispute is not closed with words about a neighbour's noise: each matter's outcome
    comes from its own category's list (resolved or not, as its result says)."""
    handled = synthetic().exclude(result="").values_list("category__code", "result", "outcome")
    assert handled
    for code, result, outcome in handled:
        if outcome == DUPLICATE_OUTCOME:
            continue
        assert outcome in outcome_texts(code, resolved=result == "resolved"), (code, outcome)
