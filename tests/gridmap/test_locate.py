"""GET /api/areas/locate: point → grid chain on the real PostGIS network of tests.factories."""

import datetime as dt

import prcoords
import pytest

from gridmap import queries
from gridmap.models import GridWorker

URL = "/api/areas/locate"


def locate(client, **params):
    return client.get(URL, params)


@pytest.mark.django_db
def test_point_inside_a_grid_gives_its_whole_chain_and_leader(client, network):
    response = locate(client, lon=104.605, lat=35.005)

    assert response.status_code == 200
    body = response.json()
    assert body["grid"] == {"code": "621122100001001", "name": "甲镇1村第1网格", "level": "grid"}
    assert body["village"]["code"] == "621122100001"
    assert body["township"] == {"code": "621122100000", "name": "甲镇", "level": "township"}
    assert body["county"]["code"] == "621122000000"
    assert body["leader"] == {"name": "网格长001001", "phone": "13900001001"}


@pytest.mark.django_db
def test_locate_is_one_database_query(client, network, django_assert_num_queries):
    # The lookup, and the per-client throttle's counter (gridmap.throttling).
    with django_assert_num_queries(2):
        assert locate(client, lon=104.615, lat=35.015).status_code == 200


@pytest.mark.django_db
def test_point_on_edge_shared_by_two_grids_goes_to_the_lower_code(client, network):
    # y = 35.01 is the edge between the south (…001) and north (…002) cells of village 1.
    body = locate(client, lon=104.605, lat=35.01).json()

    assert body["grid"]["code"] == "621122100001001"


@pytest.mark.django_db
def test_point_on_edge_between_townships_is_located_once(client, network):
    # x = 104.62 is the border of township A (west) and township B (east).
    body = locate(client, lon=104.62, lat=35.005).json()

    assert body["grid"]["code"] == "621122100002001"
    assert body["township"]["code"] == "621122100000"


@pytest.mark.django_db
def test_point_outside_every_grid_is_404_with_nearest_grid_and_metres(client, network):
    # 0.001° east of the county's east edge at lat 35.015: ≈ 91 m at this latitude.
    response = locate(client, lon=104.641, lat=35.015)

    assert response.status_code == 404
    body = response.json()
    assert body["nearest_grid"]["code"] == "621122101002002"
    assert 90 < body["distance_m"] < 93


@pytest.mark.django_db
def test_swapped_coordinates_are_400_saying_so(client, network):
    response = locate(client, lon=35.005, lat=104.605)

    assert response.status_code == 400
    assert response.json()["field"] == "lat"
    assert "swapped" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"lat": 35.0}, "lon", "required"),
        ({"lon": "east", "lat": 35.0}, "lon", "number"),
        ({"lon": 104.6, "lat": "nan"}, "lat", "finite"),
        ({"lon": 200, "lat": 35.0}, "lon", "between -180 and 180"),
        ({"lon": 104.6, "lat": -95}, "lat", "between -90 and 90"),
        ({"lon": 104.6, "lat": 35.0, "crs": "epsg:3857"}, "crs", "wgs84, gcj02, bd09"),
    ],
)
@pytest.mark.django_db
def test_invalid_input_is_400_naming_the_field(client, params, field, words):
    response = locate(client, **params)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert words in response.json()["detail"]


@pytest.mark.django_db
def test_gcj02_point_is_converted_before_the_lookup(client, network):
    wgs_lon, wgs_lat = 104.6085, 35.015  # village 1, north cell; 150 m west of village 2
    gcj = prcoords.wgs_gcj((wgs_lat, wgs_lon))

    as_wgs = locate(client, lon=gcj.lon, lat=gcj.lat).json()
    as_gcj = locate(client, lon=gcj.lon, lat=gcj.lat, crs="gcj02").json()

    assert as_wgs["grid"]["code"] == "621122100002002"  # the 250-300 m shift, uncorrected
    assert as_gcj["grid"]["code"] == "621122100001002"
    assert as_gcj["lon"] == pytest.approx(wgs_lon, abs=1e-6)  # ≈ 0.1 m
    assert as_gcj["lat"] == pytest.approx(wgs_lat, abs=1e-6)


@pytest.mark.django_db
def test_bd09_point_is_converted_before_the_lookup(client, network):
    wgs_lon, wgs_lat = 104.6085, 35.0125
    bd = prcoords.wgs_bd((wgs_lat, wgs_lon))

    body = locate(client, lon=bd.lon, lat=bd.lat, crs="bd09").json()

    assert body["grid"]["code"] == "621122100001002"
    assert body["lon"] == pytest.approx(wgs_lon, abs=1e-6)


@pytest.mark.django_db
def test_grid_without_active_leader_reports_no_leader(client, network):
    GridWorker.objects.filter(area__code="621122100001001").update(active=False)

    body = locate(client, lon=104.605, lat=35.005).json()

    assert body["leader"] is None


@pytest.mark.django_db
def test_retired_grid_is_not_located(client, network):
    network["621122100001001"].valid_to = dt.date(2025, 1, 1)
    network["621122100001001"].save()

    response = locate(client, lon=104.605, lat=35.005)

    assert response.status_code == 404
    assert response.json()["nearest_grid"]["code"] != "621122100001001"


@pytest.mark.django_db
def test_locate_needs_no_login_and_is_read_only(client, network):
    assert locate(client, lon=104.605, lat=35.005).status_code == 200
    assert client.post(URL, {"lon": 104.605, "lat": 35.005}).status_code == 405


@pytest.mark.django_db
def test_bulk_locate_matches_single_locate_and_marks_outside_points(network):
    lons = [104.605, 104.635, 104.641, 104.615, 104.62]
    lats = [35.005, 35.015, 35.015, 35.01, 35.005]

    grid_ids = queries.bulk_locate(lons, lats)

    expected = []
    for lon, lat in zip(lons, lats, strict=True):
        found = queries.locate(lon, lat)
        expected.append(network[found.grid.code].pk if found else 0)
    assert list(grid_ids) == expected
    assert grid_ids[2] == 0  # east of the county


@pytest.mark.django_db
def test_bulk_locate_runs_twice_inside_one_transaction(network):
    # pytest-django wraps the test in a transaction, so each call's block is a savepoint.
    first = queries.bulk_locate([104.605], [35.005])
    second = queries.bulk_locate([104.615], [35.005])

    assert first[0] == network["621122100001001"].pk
    assert second[0] == network["621122100002001"].pk


@pytest.mark.django_db
def test_messages_are_in_chinese_by_default(zh_client, network):
    swapped = locate(zh_client, lon=35.005, lat=104.605).json()
    outside = locate(zh_client, lon=104.641, lat=35.015).json()

    assert "填反" in swapped["detail"]
    assert outside["detail"] == "该位置不在任何网格内。"
