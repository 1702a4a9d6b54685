"""Vector tiles and heat cells of matters: scoping, aggregation, filters, caching headers."""

from __future__ import annotations

import gzip
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from incidents.tiles import RAW_MIN_ZOOM
from tests.factories import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH
from tests.mvt import decode, tile_of

pytestmark = pytest.mark.django_db


def tile_url(lon, lat, z, **params):
    x, y = tile_of(lon, lat, z)
    url = reverse("incident-tile", args=[z, x, y])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def features(response):
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode(response.content)
    return layers["matters"].features if "matters" in layers else []


def test_raw_tile_holds_each_visible_matter_without_personal_data(client, people, intake):
    incident = intake()
    client.force_login(people["county"])
    found = features(client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM)))
    assert [f.id for f in found] == [incident.pk]
    props = found[0].properties
    assert props["kind"] == "dispute"
    assert props["category"] == "neighbours"
    assert props["state"] == "received"
    assert props["overdue"] is False
    assert props["id"] == incident.pk
    assert set(props) == {"id", "kind", "category", "state", "supervised", "overdue", "approximate"}
    assert incident.title.encode() not in client.get(tile_url(*IN_GRID_A1_SOUTH, 16)).content


def test_low_zoom_tiles_aggregate_points_into_counted_cells(client, people, intake):
    for _ in range(3):
        intake()
    intake(points=[IN_GRID_B1_SOUTH])
    client.force_login(people["county"])
    found = features(client.get(tile_url(*IN_GRID_A1_SOUTH, 10)))
    assert all(f.id is None for f in found)
    assert sum(f.properties["count"] for f in found) == 4
    assert sum(f.properties["dispute"] for f in found) == 4
    assert len(found) < 4  # at z10 the points, 2 km apart, share cells


def test_tiles_are_cut_to_the_users_jurisdiction(client, people, intake):
    intake(points=[IN_GRID_B1_SOUTH], reporter=people["leader_b1"])
    client.force_login(people["leader_a1"])
    assert features(client.get(tile_url(*IN_GRID_B1_SOUTH, RAW_MIN_ZOOM))) == []
    client.force_login(people["county"])
    assert len(features(client.get(tile_url(*IN_GRID_B1_SOUTH, RAW_MIN_ZOOM)))) == 1


def test_anonymous_users_get_no_tiles(client, people, intake):
    intake()
    response = client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM))
    assert response.status_code == 302


def test_filters_kind_state_area_and_period(client, people, intake, walk):
    open_one = intake()
    closed = walk(intake(), "closed")
    client.force_login(people["county"])
    url = lambda **p: tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM, **p)  # noqa: E731
    assert [f.id for f in features(client.get(url()))] == [open_one.pk]
    assert {f.id for f in features(client.get(url(state="all")))} == {open_one.pk, closed.pk}
    assert [f.id for f in features(client.get(url(state="closed")))] == [closed.pk]
    assert features(client.get(url(kind="hazard"))) == []
    assert len(features(client.get(url(area="621122100000")))) == 1
    assert features(client.get(url(area="621122101000"))) == []
    assert len(features(client.get(url(period="7d")))) == 1
    assert features(client.get(url(period="last_year"))) == []


@pytest.mark.parametrize(
    ("name", "value"), [("kind", "fire"), ("state", "gone"), ("period", "1y"), ("area", "12")]
)
def test_bad_filters_are_refused_naming_the_parameter(client, people, name, value):
    client.force_login(people["county"])
    response = client.get(tile_url(*IN_GRID_A1_SOUTH, 12, **{name: value}))
    assert response.status_code == 400
    assert name in response.content.decode()


def test_users_without_a_jurisdiction_get_empty_tiles(client, make_user, people, intake):
    intake()
    client.force_login(make_user("nobody", jurisdiction=None))
    assert features(client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM))) == []
    assert (
        features(client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM, area="621199000000"))) == []
    )


def test_tile_outside_the_zoom_range_is_refused(client, people):
    client.force_login(people["county"])
    assert client.get(reverse("incident-tile", args=[3, 8, 0])).status_code == 400


def test_etag_answers_304_until_a_matter_changes(client, people, intake, walk):
    incident = intake()
    client.force_login(people["county"])
    url = tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM)
    first = client.get(url)
    assert first["Cache-Control"] == "private, max-age=30"
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    walk(incident, "assessed")
    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_etag_differs_between_users_and_filters(client, people, intake):
    intake()
    url = tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM)
    client.force_login(people["county"])
    county = client.get(url)["ETag"]
    hazard = client.get(url + "?kind=hazard")["ETag"]
    client.force_login(people["township"])
    assert len({county, hazard, client.get(url)["ETag"]}) == 3


def test_heat_cells_count_matters_in_the_box(client, people, intake):
    for _ in range(2):
        intake()
    intake(points=[IN_GRID_B1_SOUTH])
    client.force_login(people["county"])
    url = reverse("incident-heat")
    body = client.get(url, {"bbox": "104.5,34.9,104.7,35.1", "zoom": 15}).json()
    assert sorted(c[2] for c in body["cells"]) == [1, 2]
    assert body["max"] == 2
    lat, lon, _count = max(body["cells"], key=lambda c: c[2])
    assert abs(lon - IN_GRID_A1_SOUTH[0]) < 1e-6
    assert abs(lat - IN_GRID_A1_SOUTH[1]) < 1e-6
    assert client.get(url, {"bbox": "1,2,3", "zoom": 5}).status_code == 400
    client.force_login(people["leader_b1"])
    body = client.get(url, {"bbox": "104.5,34.9,104.7,35.1", "zoom": 15}).json()
    assert [c[2] for c in body["cells"]] == [1]


def test_filter_options_are_translated(zh_client, people, categories):
    zh_client.force_login(people["county"])
    body = zh_client.get(reverse("incident-map-filters")).json()
    assert {"value": "dispute", "label": "矛盾纠纷"} in body["kinds"]
    assert body["periods"][3] == {"value": "last_month", "label": "上月"}
    assert any(c["value"] == "neighbours" for c in body["categories"])


def test_demo_sized_tile_stays_small(client, people, intake):
    # Thirty matters in one grid cell: a z12 tile aggregates them into a few features.
    for _ in range(30):
        intake()
    client.force_login(people["county"])
    response = client.get(tile_url(*IN_GRID_A1_SOUTH, 12))
    assert len(gzip.compress(response.content)) < 1000


def test_a_raw_tile_with_too_many_matters_is_aggregated(client, people, intake, monkeypatch):
    from incidents import tiles

    for _ in range(3):
        intake()
    monkeypatch.setattr(tiles, "RAW_MAX_FEATURES", 2)
    client.force_login(people["county"])
    found = features(client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM)))
    assert [f.properties["count"] for f in found] == [3]


@pytest.mark.django_db
def test_the_tile_source_carries_no_order_by_so_the_location_index_can_drive(people):
    from django.http import QueryDict
    from django.utils import timezone

    from incidents.tiles import TileFilters, _tile_source, filtered_incidents

    now = timezone.now()
    filters = TileFilters.from_query(QueryDict("state=all"))
    source, _params = _tile_source(filtered_incidents(people["county"], filters, now), now)

    assert "ORDER BY" not in source
