"""GET /api/analytics/forecast: a stored outlook's flagged cells, scoped, read-only, JSON errors."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from tests.analytics.warning_data import OTHER_HOT_GRID, stored_outlook
from tests.factories import HOT_GRID

URL = "/api/analytics/forecast"


@pytest.fixture
def stored(network, category):
    return stored_outlook(network, category)


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_county_sees_every_flagged_cell_with_the_measured_pai(client, stored, county_leader):
    body = get(client, county_leader).json()
    assert [f["properties"]["key"] for f in body["features"]] == [HOT_GRID, OTHER_HOT_GRID]
    first = body["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"]["rank"] == 1
    assert first["properties"]["drivers"]
    outlook = body["outlook"]
    assert outlook["month"] == "2026-11"
    assert outlook["pai"] == pytest.approx(stored.pai)
    assert outlook["baseline_pai"] == pytest.approx(stored.baseline_pai)
    assert outlook["skill_text"]


def test_a_township_user_sees_only_its_own_cells(client, stored, township_leader):
    body = get(client, township_leader).json()
    assert [f["properties"]["key"] for f in body["features"]] == [OTHER_HOT_GRID]
    assert body["outlook"]["area"] == "621122101000"
    assert body["outlook"]["forecast_area"] == "621122000000"


def test_another_township_is_refused(client, stored, township_leader):
    response = get(client, township_leader, area="621122100000")
    assert response.status_code == 400
    assert "621122100000" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.GRID_LEADER, Role.RESPONDER])
def test_field_roles_are_refused(client, stored, make_user, network, role):
    user = make_user("field", role, network["621122000000"])
    response = get(client, user)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_a_month_without_an_outlook_is_not_found_in_json(client, stored, county_leader):
    response = get(client, county_leader, month="2026-12")
    assert response.status_code == 404
    assert "No early warning is stored" in response.json()["detail"]


@pytest.mark.parametrize("month", ["2026-13", "2026Q4", "soon"])
def test_a_bad_month_is_a_json_400(client, stored, county_leader, month):
    response = get(client, county_leader, month=month)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("month:")


def test_it_is_read_only(client, stored, county_leader):
    client.force_login(county_leader)
    assert client.post(URL, {}).status_code == 405


def test_queries_do_not_grow_with_the_flagged_cells(
    client, stored, county_leader, django_assert_max_num_queries
):
    client.force_login(county_leader)
    client.get(URL)  # the session and the user's area are read once per request, either way
    with django_assert_max_num_queries(6):
        assert len(client.get(URL).json()["features"]) == 2
