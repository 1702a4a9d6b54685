"""Positions posted from a unit's phones: WGS84 or GCJ-02, impossible ones refused, members only,
at most one per interval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridmap.coords import parse_point
from tests.volunteers.api_helpers import post, snapshot
from volunteers.models import Responder

pytestmark = pytest.mark.django_db


def position_url(responder_id: int) -> str:
    return f"/api/responders/{responder_id}/position"


# --- positions -----------------------------------------------------------------------------------


@pytest.fixture
def quiet(near) -> Responder:
    """``near`` with its last position posted long enough ago to post again."""
    Responder.objects.filter(pk=near.pk).update(
        position_at=timezone.now() - dt.timedelta(minutes=5)
    )
    near.refresh_from_db()
    return near


def test_a_member_posts_the_units_position(quiet, as_user):
    response = post(
        as_user("responder"),
        position_url(quiet.pk),
        {"lon": 104.6111, "lat": 35.0066, "accuracy": 9},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["position"] == [104.6111, 35.0066]
    assert body["accuracy_m"] == 9
    quiet.refresh_from_db()
    assert not quiet.is_stale()


def test_a_gcj02_position_as_a_geojson_point_is_stored_in_wgs84(quiet, as_user):
    body = {"position": {"type": "Point", "coordinates": [104.6111, 35.0066]}, "crs": "gcj02"}

    response = post(as_user("responder"), position_url(quiet.pk), body)

    assert response.status_code == 200
    expected = parse_point(104.6111, 35.0066, "gcj02")
    lon, lat = response.json()["position"]
    assert (round(lon, 7), round(lat, 7)) == (round(expected.lon, 7), round(expected.lat, 7))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lon": 35.0066, "lat": 104.6111}, "lat"),  # swapped
        ({"lon": "east", "lat": 35.0}, "lon"),
        ({"lat": 35.0}, "lon"),
        ({"lon": 104.6, "lat": 35.0, "crs": "mars"}, "crs"),
        ({"lon": 104.6, "lat": 35.0, "accuracy": -3}, "accuracy"),
        ({"position": {"type": "Point", "coordinates": [35.0066, 104.6111]}}, "position"),
    ],
)
def test_an_impossible_position_is_400_naming_the_field_and_nothing_changes(
    quiet, as_user, body, field
):
    before = snapshot()

    response = post(as_user("responder"), position_url(quiet.pk), body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert snapshot() == before


def test_a_position_from_a_non_member_is_403_and_nothing_changes(quiet, as_user):
    before = snapshot()

    response = post(as_user("village"), position_url(quiet.pk), {"lon": 104.61, "lat": 35.006})

    assert response.status_code == 403
    assert snapshot() == before


def test_a_position_for_no_such_unit_is_404(as_user, people):
    assert (
        post(as_user("responder"), position_url(999999), {"lon": 104.6, "lat": 35.0}).status_code
        == 404
    )


def test_a_second_position_within_the_interval_is_429_with_retry_after(quiet, as_user):
    client = as_user("responder")
    first = post(client, position_url(quiet.pk), {"lon": 104.61, "lat": 35.006})
    stored = snapshot()

    second = post(client, position_url(quiet.pk), {"lon": 104.62, "lat": 35.007})

    assert first.status_code == 200
    assert second.status_code == 429
    assert 1 <= int(second["Retry-After"]) <= 10
    assert second.json()["detail"]
    assert snapshot() == stored
