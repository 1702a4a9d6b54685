"""Patrols: start, batches of points, end; idempotent retries; figures computed in PostGIS."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from patrols.models import Patrol, PatrolReport, TrackPoint
from patrols.services import (
    PatrolConflictError,
    PatrolError,
    PatrolForbiddenError,
    PatrolNotFoundError,
    PointInput,
    add_points,
    end_patrol,
    start_patrol,
)
from tests.patrols.conftest import WALK_LONS, hand_share, walk_points

pytestmark = pytest.mark.django_db


def _walked(people, start):
    patrol, _created = start_patrol(leader=people["leader_a1"], started_at=start.isoformat())
    points = walk_points(start)
    add_points(patrol_id=patrol.pk, leader=people["leader_a1"], uid=uuid.uuid4(), points=points[:7])
    add_points(patrol_id=patrol.pk, leader=people["leader_a1"], uid=uuid.uuid4(), points=points[7:])
    return end_patrol(patrol_id=patrol.pk, leader=people["leader_a1"])


def test_a_straight_walk_covers_the_hand_computed_share_of_the_grid(people, an_hour_ago):
    patrol = _walked(people, an_hour_ago)
    patrol.refresh_from_db()
    assert patrol.point_count == 13
    assert len(patrol.track.coords) == 13
    assert patrol.covered_share == pytest.approx(hand_share(), abs=2e-5)
    # 12 steps of 0.0005° along 35.005°N: about 547 m on the ellipsoid.
    assert patrol.distance_m == pytest.approx(547.4, abs=1.0)


def test_a_resent_batch_is_stored_once(people, an_hour_ago):
    patrol, _ = start_patrol(leader=people["leader_a1"], started_at=an_hour_ago.isoformat())
    batch = uuid.uuid4()
    points = walk_points(an_hour_ago)[:5]
    first = add_points(patrol_id=patrol.pk, leader=people["leader_a1"], uid=batch, points=points)
    again = add_points(
        patrol_id=patrol.pk, leader=people["leader_a1"], uid=str(batch), points=points
    )
    assert (first.added, first.duplicate) == (5, False)
    assert (again.added, again.duplicate) == (0, True)
    assert TrackPoint.objects.filter(patrol=patrol).count() == 5


def test_a_late_batch_falls_into_time_order(people, an_hour_ago):
    patrol, _ = start_patrol(leader=people["leader_a1"], started_at=an_hour_ago.isoformat())
    points = walk_points(an_hour_ago)
    leader = people["leader_a1"]
    add_points(patrol_id=patrol.pk, leader=leader, uid=uuid.uuid4(), points=points[6:])
    end_patrol(patrol_id=patrol.pk, leader=leader)
    # The phone was offline for the first half; it sends it after the end.
    add_points(patrol_id=patrol.pk, leader=leader, uid=uuid.uuid4(), points=points[:6])
    patrol.refresh_from_db()
    assert [round(x, 4) for x, _y in patrol.track.coords] == WALK_LONS


def test_a_retried_start_returns_the_first_patrol_and_a_second_open_one_is_refused(people):
    leader = people["leader_a1"]
    key = uuid.uuid4()
    first, created = start_patrol(leader=leader, uid=key)
    again, created_again = start_patrol(leader=leader, uid=str(key))
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(PatrolConflictError):
        start_patrol(leader=leader, uid=uuid.uuid4())


def test_only_a_grid_leader_patrols_and_only_their_own_patrol(people):
    with pytest.raises(PatrolForbiddenError):
        start_patrol(leader=people["village"])
    patrol, _ = start_patrol(leader=people["leader_a1"])
    point = [PointInput(lon=104.605, lat=35.005, at=timezone.now().isoformat())]
    with pytest.raises(PatrolNotFoundError):
        add_points(patrol_id=patrol.pk, leader=people["leader_b1"], uid=uuid.uuid4(), points=point)
    with pytest.raises(PatrolNotFoundError):
        end_patrol(patrol_id=patrol.pk, leader=people["leader_b1"])


def test_points_recorded_outside_the_patrol_or_far_away_are_refused(people, an_hour_ago):
    leader = people["leader_a1"]
    patrol, _ = start_patrol(leader=leader, started_at=an_hour_ago.isoformat())
    before = an_hour_ago - dt.timedelta(hours=1)
    with pytest.raises(PatrolError, match="outside the patrol's time"):
        add_points(
            patrol_id=patrol.pk,
            leader=leader,
            uid=uuid.uuid4(),
            points=[PointInput(lon=104.605, lat=35.005, at=before.isoformat())],
        )
    with pytest.raises(PatrolError, match="outside your jurisdiction"):
        add_points(
            patrol_id=patrol.pk,
            leader=leader,
            uid=uuid.uuid4(),
            points=[PointInput(lon=106.5, lat=35.005, at=timezone.now().isoformat())],
        )
    assert not TrackPoint.objects.filter(patrol=patrol).exists()


def test_an_inaccurate_fix_is_kept_but_not_drawn_into_the_track(people, an_hour_ago):
    leader = people["leader_a1"]
    patrol, _ = start_patrol(leader=leader, started_at=an_hour_ago.isoformat())
    points = walk_points(an_hour_ago)[:3]
    stray = PointInput(lon=104.605, lat=35.008, at=points[1].at, accuracy_m=350)
    add_points(patrol_id=patrol.pk, leader=leader, uid=uuid.uuid4(), points=[*points, stray])
    patrol.refresh_from_db()
    assert patrol.point_count == 4
    assert len(patrol.track.coords) == 3
    assert TrackPoint.objects.get(patrol=patrol, accuracy_m=350).point.y == pytest.approx(35.008)


def test_a_report_made_during_an_open_patrol_is_linked_to_it(people, intake):
    patrol, _ = start_patrol(leader=people["leader_a1"])
    during = intake()
    end_patrol(patrol_id=patrol.pk, leader=people["leader_a1"])
    after = intake(uid=str(uuid.uuid4()))
    assert PatrolReport.objects.get(incident=during).patrol == patrol
    assert not PatrolReport.objects.filter(incident=after).exists()


def test_ending_twice_returns_the_first_end(people):
    patrol, _ = start_patrol(leader=people["leader_a1"])
    first = end_patrol(patrol_id=patrol.pk, leader=people["leader_a1"])
    again = end_patrol(patrol_id=patrol.pk, leader=people["leader_a1"])
    assert again.ended_at == first.ended_at
    assert Patrol.objects.get(pk=patrol.pk).ended_at == first.ended_at


def test_a_report_taken_in_at_a_time_within_an_ended_patrol_is_linked_to_it(people):
    from incidents.services import take_in
    from tests.factories import intake_request

    leader = people["leader_a1"]
    start = timezone.now() - dt.timedelta(hours=2)
    patrol, _ = start_patrol(leader=leader, started_at=start.isoformat())
    end_patrol(patrol_id=patrol.pk, leader=leader, ended_at=start + dt.timedelta(hours=1))
    # Taken in with a time inside the patrol (a sync that keeps the time the report was made).
    within = take_in(
        request=intake_request(), reporter=leader, now=start + dt.timedelta(minutes=30)
    )
    after = take_in(request=intake_request(), reporter=leader, now=start + dt.timedelta(minutes=90))
    assert PatrolReport.objects.get(incident=within.incident).patrol == patrol
    assert not PatrolReport.objects.filter(incident=after.incident).exists()


def test_a_report_made_during_a_patrol_and_sent_after_it_is_linked_to_it(people):
    from incidents.services import take_in
    from tests.factories import intake_request

    leader = people["leader_a1"]
    start = timezone.now() - dt.timedelta(hours=2)
    patrol, _ = start_patrol(leader=leader, started_at=start.isoformat())
    end_patrol(patrol_id=patrol.pk, leader=leader, ended_at=start + dt.timedelta(hours=1))
    # Made on the phone mid-patrol, queued offline, received after the patrol ended.
    made = (start + dt.timedelta(minutes=30)).isoformat()
    late = take_in(request=intake_request(reported_at=made), reporter=leader)
    assert PatrolReport.objects.get(incident=late.incident).patrol == patrol
