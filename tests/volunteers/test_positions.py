"""Positions from phones: converted to WGS84, members only, one post per interval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridmap.coords import parse_point
from tests.threads import run_at_once
from volunteers.models import Responder
from volunteers.services import (
    NotAMemberError,
    PositionInputError,
    PositionTooSoon,
    post_position,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(people):
    return people["responder"]


@pytest.fixture
def unit(place_responder, member):
    """A unit whose last position was posted a minute ago."""
    return place_responder("squad", 104.607, 35.005, members=[member])


def unchanged(unit: Responder) -> bool:
    stored = Responder.objects.get(pk=unit.pk)
    return (stored.position, stored.position_at, stored.position_accuracy_m) == (
        unit.position,
        unit.position_at,
        unit.position_accuracy_m,
    )


def test_a_member_posts_a_wgs84_position_with_its_accuracy(unit, member):
    before = timezone.now()

    post_position(responder_id=unit.pk, actor=member, lon="104.6123", lat=35.0071, accuracy_m=12.5)

    unit.refresh_from_db()
    assert (unit.position.x, unit.position.y, unit.position.srid) == (104.6123, 35.0071, 4326)
    assert unit.position_accuracy_m == 12.5
    assert unit.position_at >= before
    assert not unit.is_stale()


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_a_phone_map_position_is_stored_in_wgs84(unit, member, crs):
    post_position(responder_id=unit.pk, actor=member, lon=104.6123, lat=35.0071, crs=crs)

    unit.refresh_from_db()
    expected = parse_point(104.6123, 35.0071, crs)
    assert unit.position.x == pytest.approx(expected.lon, abs=1e-9)
    assert unit.position.y == pytest.approx(expected.lat, abs=1e-9)
    assert abs(unit.position.x - 104.6123) > 0.001  # the datum shift was undone, not ignored


@pytest.mark.parametrize(
    ("lon", "lat", "options", "field", "message"),
    [
        ("abc", 35.0, {}, "lon", "must be a number"),
        (104.6, 95.0, {}, "lat", "between -90 and 90"),
        (35.0071, 104.6123, {}, "lat", "swapped"),
        (None, 35.0, {}, "lon", "required"),
        (104.6, 35.0, {"crs": "utm"}, "crs", "must be one of"),
        (104.6, 35.0, {"accuracy_m": -3}, "accuracy_m", "cannot be negative"),
        (104.6, 35.0, {"accuracy_m": "nan"}, "accuracy_m", "finite"),
    ],
)
def test_an_impossible_position_is_refused_and_nothing_is_stored(
    unit, member, lon, lat, options, field, message
):
    with pytest.raises(PositionInputError, match=message) as refused:
        post_position(responder_id=unit.pk, actor=member, lon=lon, lat=lat, **options)

    assert refused.value.field == field
    assert unchanged(unit)


def test_only_the_units_own_members_may_post(unit, people):
    with pytest.raises(NotAMemberError):
        post_position(responder_id=unit.pk, actor=people["county"], lon=104.61, lat=35.0)

    assert unchanged(unit)


def test_an_unknown_unit_is_refused_like_someone_elses(member):
    with pytest.raises(NotAMemberError):
        post_position(responder_id=987654, actor=member, lon=104.61, lat=35.0)


def test_a_retired_unit_takes_no_positions(unit, member):
    Responder.objects.filter(pk=unit.pk).update(active=False)
    unit.refresh_from_db()

    with pytest.raises(NotAMemberError, match="retired"):
        post_position(responder_id=unit.pk, actor=member, lon=104.61, lat=35.0)

    assert unchanged(unit)


def test_a_second_post_within_ten_seconds_is_refused_with_the_wait(unit, member):
    post_position(responder_id=unit.pk, actor=member, lon=104.61, lat=35.0)
    unit.refresh_from_db()

    with pytest.raises(PositionTooSoon) as refused:
        post_position(responder_id=unit.pk, actor=member, lon=104.62, lat=35.0)

    assert 1 <= refused.value.retry_after <= 10
    assert unchanged(unit)


def test_a_post_after_the_interval_is_taken(unit, member):
    eleven_seconds_ago = timezone.now() - dt.timedelta(seconds=11)
    Responder.objects.filter(pk=unit.pk).update(position_at=eleven_seconds_ago)

    post_position(responder_id=unit.pk, actor=member, lon=104.62, lat=35.0)

    unit.refresh_from_db()
    assert unit.position.x == 104.62
    assert unit.position_at > eleven_seconds_ago


@pytest.mark.django_db(transaction=True)
def test_two_phones_of_one_squad_posting_at_once_store_one_position(people, place_responder):
    phones = [people["responder"], people["leader_a1"]]
    unit = place_responder("squad", 104.607, 35.005, members=phones)

    outcomes = run_at_once(
        [
            lambda p=phone, lon=lon: post_position(responder_id=unit.pk, actor=p, lon=lon, lat=35.0)
            for phone, lon in zip(phones, (104.61, 104.62), strict=True)
        ]
    )

    stored = [o for o in outcomes if isinstance(o, Responder)]
    refused = [o for o in outcomes if isinstance(o, PositionTooSoon)]
    assert (len(stored), len(refused)) == (1, 1)
    unit.refresh_from_db()
    assert unit.position.x == stored[0].position.x
