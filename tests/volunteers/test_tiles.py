"""Vector tiles of responders: who sees which units, status and staleness, no phone numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.mvt import decode, tile_of
from volunteers.choices import ResponderStatus

pytestmark = pytest.mark.django_db

POINT = (104.615, 35.005)


def units(client, z=14):
    x, y = tile_of(*POINT, z)
    response = client.get(reverse("responder-tile", args=[z, x, y]))
    assert response.status_code == 200
    layer = decode(response.content).get("responders")
    return response, {f.properties["name"]: f for f in layer.features} if layer else {}


def test_units_show_status_staleness_and_no_phone(client, people, place_responder):
    place_responder("调解员甲", *POINT, phone="13900000001")
    place_responder("志愿队乙", 104.616, 35.006, minutes_ago=90, status=ResponderStatus.EN_ROUTE)
    client.force_login(people["county"])
    response, found = units(client)
    assert found["调解员甲"].properties["stale"] is False
    assert found["调解员甲"].properties["status"] == "available"
    assert found["志愿队乙"].properties["stale"] is True
    assert found["志愿队乙"].properties["status_label"] == "En route"
    assert b"13900000001" not in response.content
    assert "phone" not in found["调解员甲"].properties


def test_units_are_those_serving_or_inside_the_jurisdiction(client, people, place_responder):
    place_responder("县调解员", *POINT, home="621122000000")
    place_responder("乙镇调解员", 104.616, 35.006, home="621122101000")
    client.force_login(people["township"])  # township A: the county unit serves it, B's does not
    assert set(units(client)[1]) == {"县调解员"}
    client.force_login(people["county"])
    assert set(units(client)[1]) == {"县调解员", "乙镇调解员"}


def test_grid_leaders_see_no_units(client, people, place_responder):
    place_responder("县调解员", *POINT)
    client.force_login(people["leader_a1"])
    assert units(client)[1] == {}


def test_etag_is_the_tiles_hash_and_status_changes_it(client, people, place_responder):
    unit = place_responder("县调解员", *POINT)
    client.force_login(people["county"])
    x, y = tile_of(*POINT, 14)
    url = reverse("responder-tile", args=[14, x, y])
    first = client.get(url)
    assert first["Cache-Control"] == "private, no-store"
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    unit.status = ResponderStatus.OFFERED
    unit.save()
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 200
