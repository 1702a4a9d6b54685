"""The month's patrol figures (per grid leader, per village) and the deletion of old tracks."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from patrols.coverage import month_coverage
from patrols.models import Patrol, PatrolMonth, TrackPoint
from patrols.retention import delete_old_tracks
from patrols.services import add_points, end_patrol, start_patrol
from tests.patrols.conftest import GRID_A1_SOUTH, grid_m2, hand_share, walk_points

pytestmark = pytest.mark.django_db

A1_NORTH = (104.60, 35.01, 104.61, 35.02)


def _patrol(leader, start: dt.datetime) -> Patrol:
    """Walk the straight path at ``start`` (stored as if the phone had sent it then)."""
    patrol = Patrol.objects.create(leader=leader, grid=leader.jurisdiction, started_at=start)
    end = start + dt.timedelta(minutes=10)
    add_points(
        patrol_id=patrol.pk, leader=leader, uid=uuid.uuid4(), points=walk_points(start), now=end
    )
    return end_patrol(patrol_id=patrol.pk, leader=leader, ended_at=end, now=end)


def _month_start(months_ago: int) -> dt.datetime:
    today = timezone.localdate().replace(day=1)
    for _ in range(months_ago):
        today = (today - dt.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(today, dt.time(9)))


def test_the_same_path_walked_twice_covers_the_grid_once(people, network):
    start = _month_start(0)
    _patrol(people["leader_a1"], start)
    _patrol(people["leader_a1"], start + dt.timedelta(hours=3))
    table = month_coverage(area=network["621122100000"], month=start.date())
    mine = next(r for r in table.leaders if r.leader_id == people["leader_a1"].pk)
    assert mine.figures.patrols == 2
    assert mine.figures.duration_s == pytest.approx(1200)
    assert mine.figures.covered_share == pytest.approx(hand_share(), abs=2e-5)
    # The village: its two grids together, the north one unwalked.
    village = next(v for v in table.villages if v.village.code == "621122100001")
    south, north = grid_m2(GRID_A1_SOUTH), grid_m2(A1_NORTH)
    assert (village.grids, village.patrolled_grids, village.patrols) == (2, 1, 2)
    assert village.covered_share == pytest.approx(hand_share() * south / (south + north), abs=2e-5)


def test_a_leader_who_did_not_patrol_is_listed_with_zero(people, network):
    table = month_coverage(area=network["621122000000"], month=timezone.localdate())
    rows = {r.leader_id: r.figures for r in table.leaders}
    assert rows[people["leader_b1"].pk].patrols == 0
    assert rows[people["leader_b1"].pk].covered_share == 0


def test_old_tracks_are_deleted_and_their_month_keeps_its_figures(people, network, settings):
    settings.PATROL_TRACK_RETENTION_DAYS = 30
    old_start = _month_start(3)
    old = _patrol(people["leader_a1"], old_start)
    recent = _patrol(people["leader_a1"], timezone.now() - dt.timedelta(days=1))

    assert delete_old_tracks() == 1
    old.refresh_from_db()
    assert old.track is None
    assert old.track_deleted_at is not None
    assert not TrackPoint.objects.filter(patrol=old).exists()
    assert old.covered_share == pytest.approx(hand_share(), abs=2e-5)  # the figures stay
    assert TrackPoint.objects.filter(patrol=recent).count() == 13
    assert PatrolMonth.objects.filter(month=old_start.date().replace(day=1)).count() == 2

    table = month_coverage(area=network["621122100000"], month=old_start.date())
    mine = next(r for r in table.leaders if r.leader_id == people["leader_a1"].pk)
    assert mine.figures.covered_share == pytest.approx(hand_share(), abs=2e-5)
    assert delete_old_tracks() == 0  # nothing left to delete


def test_an_open_patrol_outlives_no_retention(people, settings):
    settings.PATROL_TRACK_RETENTION_DAYS = 30
    patrol, _ = start_patrol(leader=people["leader_a1"])
    Patrol.objects.filter(pk=patrol.pk).update(started_at=timezone.now() - dt.timedelta(days=40))
    assert delete_old_tracks() == 1


def test_the_briefing_section_sums_the_area_and_lists_the_least_covered_villages(people, network):
    from django.template.loader import render_to_string

    from patrols.briefing import patrol_section

    start = _month_start(0)
    _patrol(people["leader_a1"], start)
    section = patrol_section(area=network["621122000000"], month=start.date())
    assert (section.grids, section.patrolled_grids, section.patrols) == (8, 1, 1)
    county_m2 = sum(
        grid_m2((104.60 + 0.01 * i, 35.00 + 0.01 * j, 104.61 + 0.01 * i, 35.01 + 0.01 * j))
        for i in range(4)
        for j in range(2)
    )
    expected = hand_share() * grid_m2(GRID_A1_SOUTH) / county_m2
    assert section.covered_share == pytest.approx(expected, abs=2e-6)
    assert section.lowest[-1].village.code == "621122100001"  # the only one walked: last
    html = render_to_string("patrols/_briefing_patrols.html", {"section": section})
    assert "1 of 8 grids patrolled" in html


def test_the_command_deletes_tracks_older_than_the_days_it_is_given(people, capsys):
    from django.core.management import call_command

    old = _patrol(people["leader_a1"], timezone.now() - dt.timedelta(days=10))
    call_command("delete_old_patrol_tracks", "--days", "30")
    assert "0 patrols" in capsys.readouterr().out
    call_command("delete_old_patrol_tracks", "--days", "5")
    assert "1 patrols" in capsys.readouterr().out
    old.refresh_from_db()
    assert old.track is None
