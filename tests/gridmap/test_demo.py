"""The Longxi demo county: a deterministic, exactly tiled generator and an idempotent load_demo."""

from __future__ import annotations

import io
import itertools
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from shapely.geometry import Point

from accounts.choices import Role
from gridmap.choices import AreaLevel, GridWorkerRole
from gridmap.demo.county import (
    SEAT_TOWNSHIP,
    TOTAL_GRIDS,
    DemoCounty,
    apportion,
    generate_county,
)
from gridmap.demo.load import load_demo_county
from gridmap.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, GRID_LEADER_GRID
from gridmap.demo.reference import (
    COUNTY_CODE,
    load_outline,
    load_townships,
    load_villages,
)
from gridmap.models import Area, AreaVersion, GridWorker
from gridmap.queries import locate

METRIC = 4544  # CGCS2000 Gauss-Krüger CM 105°E: areas in m²
CHILD_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID)
SEAT = (104.634, 35.003)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Six demo logins per load: the default PBKDF2 would cost a second and a half each time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    """The generated county, built once for the module (about a second)."""
    return generate_county()


@pytest.fixture(scope="module")
def metric(county: DemoCounty) -> gpd.GeoDataFrame:
    """The areas in EPSG:4544 metres, indexed by code."""
    return county.areas.to_crs(METRIC).set_index("code")


def level_rows(frame: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    return frame[frame["level"] == level]


# --- the generator ------------------------------------------------------------------------------


def test_generator_is_deterministic(county):
    again = generate_county()

    columns = ["code", "name", "level", "parent_code", "population", "households", "synthetic"]
    assert again.areas[columns].equals(county.areas[columns])
    assert list(again.areas.geometry.to_wkb()) == list(county.areas.geometry.to_wkb())
    assert again.leaders[["grid_code", "name", "phone"]].equals(
        county.leaders[["grid_code", "name", "phone"]]
    )
    assert list(again.leaders.geometry.to_wkb()) == list(county.leaders.geometry.to_wkb())


def test_frame_has_the_import_columns_in_wgs84(county):
    assert county.areas.crs.to_epsg() == 4326
    assert {"code", "name", "level", "parent_code", "population", "households", "synthetic"} <= set(
        county.areas.columns
    )
    assert set(county.areas.geom_type) == {"MultiPolygon"}
    assert county.areas.is_valid.all()


def test_level_counts_match_the_nbs_lists(county):
    counts = county.areas["level"].value_counts()

    assert counts[AreaLevel.COUNTY] == 1
    assert counts[AreaLevel.TOWNSHIP] == 17
    assert counts[AreaLevel.VILLAGE] == 233
    assert abs(counts[AreaLevel.GRID] - 1_922) <= 0.05 * 1_922


def test_seat_urban_communities_hold_about_301_grids(county):
    villages = level_rows(county.areas, AreaLevel.VILLAGE)
    communities = villages[
        (villages["parent_code"] == SEAT_TOWNSHIP) & villages["name"].str.endswith("社区")
    ]
    grids = level_rows(county.areas, AreaLevel.GRID)
    in_communities = grids["parent_code"].isin(communities["code"])

    assert len(communities) == 11
    assert abs(in_communities.sum() - 301) <= 0.10 * 301


def test_rural_villages_have_five_to_twelve_grids(county):
    villages = level_rows(county.areas, AreaLevel.VILLAGE)
    rural = villages[villages["name"].str.endswith("村")]
    per_village = level_rows(county.areas, AreaLevel.GRID)["parent_code"].value_counts()

    assert per_village[rural["code"]].between(5, 12).all()


def test_codes_and_names_come_from_the_nbs_lists(county):
    areas = county.areas.set_index("code")
    for township in load_townships():
        assert areas.loc[township.code, "name"] == township.name
        assert areas.loc[township.code, "parent_code"] == COUNTY_CODE
    for village in load_villages():
        assert areas.loc[village.code, "name"] == village.short_name
        assert areas.loc[village.code, "parent_code"] == village.township_code


def test_grids_are_numbered_from_001_within_their_village(county):
    grids = level_rows(county.areas, AreaLevel.GRID)
    for village_code, group in grids.groupby("parent_code"):
        numbers = sorted(int(code[12:]) for code in group["code"])
        assert numbers == list(range(1, len(group) + 1))
        assert all(code.startswith(village_code) for code in group["code"])
    assert grids.set_index("code").loc["621122100001001", "name"] == "东城社区第1网格"


def test_grids_are_numbered_north_to_south(metric):
    grids = level_rows(metric, AreaLevel.GRID)
    first_is_north = []
    for _village, group in grids.groupby("parent_code"):
        ordered = group.sort_index()
        first_is_north.append(
            ordered.geometry.iloc[0].centroid.y > ordered.geometry.iloc[-1].centroid.y
        )
    assert np.mean(first_is_north) > 0.95


def test_only_the_county_outline_is_real(county):
    synthetic = county.areas.set_index("code")["synthetic"]

    assert not synthetic[COUNTY_CODE]
    assert synthetic.drop(COUNTY_CODE).all()


def test_county_is_the_reference_outline(metric):
    outline = gpd.GeoSeries([load_outline()], crs=4326).to_crs(METRIC).iloc[0]

    assert metric.loc[COUNTY_CODE].geometry.symmetric_difference(outline).area < 1.0


@pytest.mark.parametrize("level", CHILD_LEVELS)
def test_children_exactly_cover_their_parent(metric, level):
    children = level_rows(metric, level)
    for parent_code, group in children.groupby("parent_code"):
        parent = metric.loc[parent_code].geometry
        union = shapely.union_all(group.geometry.values)
        assert union.symmetric_difference(parent).area < 1.0, parent_code
        assert abs(group.area.sum() - parent.area) < 1.0, parent_code


@pytest.mark.parametrize("level", CHILD_LEVELS)
def test_siblings_never_overlap(metric, level):
    children = level_rows(metric, level)
    geometries = children.geometry.values
    first, second = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = first < second
    overlaps = shapely.area(
        shapely.intersection(geometries[first[pairs]], geometries[second[pairs]])
    )

    assert overlaps.max() == 0.0


def test_every_area_is_one_piece(county):
    parts = shapely.get_num_geometries(county.areas.geometry.values)

    assert (parts == 1).all()


def test_township_sizes_are_plausible(metric):
    square_km = level_rows(metric, AreaLevel.TOWNSHIP).area / 1e6

    assert abs(metric.loc[COUNTY_CODE].geometry.area / 1e6 - 2_423) < 1
    assert square_km.between(60, 300).all()


def test_seat_urban_communities_are_small_and_dense(metric):
    villages = level_rows(metric, AreaLevel.VILLAGE)
    seat = villages[villages["parent_code"] == SEAT_TOWNSHIP]
    urban = seat[seat["name"].str.endswith("社区")]
    rural = seat[seat["name"].str.endswith("村")]

    assert urban.area.max() < rural.area.min()
    assert (urban["population"] / urban.area).min() > 5 * (rural["population"] / rural.area).max()


def test_county_seat_lies_in_an_urban_community_of_gongchang(county):
    seat = Point(SEAT)
    villages = level_rows(county.areas, AreaLevel.VILLAGE)
    hit = villages[villages.contains(seat)]

    assert len(hit) == 1
    assert hit["parent_code"].iloc[0] == SEAT_TOWNSHIP
    assert hit["name"].iloc[0].endswith("社区")


@pytest.mark.parametrize("column", ["population", "households"])
def test_figures_sum_from_grid_to_county(county, column):
    areas = county.areas.set_index("code")
    for level in CHILD_LEVELS:
        children = level_rows(county.areas, level)
        sums = children.groupby("parent_code")[column].sum()
        assert (sums == areas.loc[sums.index, column]).all(), level


def test_population_is_calibrated(county):
    areas = county.areas.set_index("code")
    townships = level_rows(county.areas, AreaLevel.TOWNSHIP).set_index("code")

    assert abs(areas.loc[COUNTY_CODE, "population"] - 450_000) <= 0.02 * 450_000
    assert townships["population"].idxmax() == SEAT_TOWNSHIP
    assert 100_000 <= townships.loc[SEAT_TOWNSHIP, "population"] <= 130_000
    assert 3.1 < areas.loc[COUNTY_CODE, "population"] / areas.loc[COUNTY_CODE, "households"] < 3.5


def test_one_leader_per_grid_living_inside_it(county):
    grids = level_rows(county.areas, AreaLevel.GRID).set_index("code")
    leaders = county.leaders.set_index("grid_code")

    assert sorted(leaders.index) == sorted(grids.index)
    homes = leaders.geometry.values
    cells = grids.loc[leaders.index].geometry.values
    assert shapely.contains(cells, homes).all()


def test_leaders_have_plausible_names_and_fictional_phones(county):
    leaders = county.leaders

    assert leaders["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert leaders["phone"].str.fullmatch(r"1990000\d{4}").all()
    assert leaders["phone"].is_unique


def test_apportion_respects_bounds_and_total():
    shares = apportion(np.array([1.0, 1.0, 10.0, 100.0]), 40, lower=5, upper=20)

    assert shares.sum() == 40
    assert shares.min() >= 5
    assert shares.max() <= 20
    assert list(shares) == sorted(shares)


# --- loading into the database ------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "versions": AreaVersion.objects.count(),
        "workers": GridWorker.objects.count(),
        "users": get_user_model().objects.count(),
    }


@pytest.mark.django_db
def test_load_demo_twice_and_forced_changes_no_row_counts():
    call_command("load_demo", stdout=io.StringIO())
    loaded = row_counts()
    call_command("load_demo", stdout=io.StringIO())
    again = row_counts()
    call_command("load_demo", "--force", stdout=io.StringIO(), verbosity=0)

    assert loaded == {"areas": 2_173, "versions": 0, "workers": TOTAL_GRIDS, "users": 6}
    assert again == loaded
    assert row_counts() == loaded


@pytest.mark.django_db
def test_every_loaded_grid_has_exactly_one_active_leader(county):
    load_demo_county(county)
    grids = Area.objects.filter(level=AreaLevel.GRID)
    leaders = GridWorker.objects.filter(role=GridWorkerRole.LEADER, active=True, synthetic=True)

    assert grids.count() == TOTAL_GRIDS
    assert sorted(leaders.values_list("area__code", flat=True)) == sorted(
        grids.values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_reload_keeps_a_real_leader_who_replaced_the_demo_one(county):
    load_demo_county(county)
    GridWorker.objects.filter(area__code=GRID_LEADER_GRID).update(active=False)
    GridWorker.objects.create(
        area=Area.objects.get(code=GRID_LEADER_GRID), name="真实网格长", phone="", active=True
    )

    result = load_demo_county(county)

    active = GridWorker.objects.get(area__code=GRID_LEADER_GRID, active=True)
    assert active.name == "真实网格长"
    assert result.leaders.created == 0


@pytest.mark.django_db
def test_demo_logins_have_one_role_each_and_the_demo_password(county):
    load_demo_county(county)
    users = {user.username: user for user in get_user_model().objects.all()}

    assert set(users) == {login.username for login in DEMO_LOGINS}
    assert {user.role for user in users.values()} == set(Role.values)
    assert all(user.check_password(DEMO_PASSWORD) for user in users.values())
    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert users["gridleader"].jurisdiction.code == GRID_LEADER_GRID
    assert users["township"].jurisdiction.code == SEAT_TOWNSHIP


@pytest.mark.django_db
def test_loaded_county_seat_locates_to_its_community_and_leader(county):
    load_demo_county(county)

    found = locate(*SEAT)

    assert found.township.code == SEAT_TOWNSHIP
    assert found.village.name.endswith("社区")
    assert found.leader is not None
    assert found.synthetic


@pytest.mark.django_db
def test_demo_logins_prints_the_url_and_every_login(county):
    load_demo_county(county)
    out = io.StringIO()

    call_command("demo_logins", "--url", "http://127.0.0.1:8123/", stdout=out)

    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    for login in DEMO_LOGINS:
        assert re.search(rf"^\s+{login.username}\s+{DEMO_PASSWORD}\s", text, re.MULTILINE)


def test_demo_logins_cover_every_role():
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)
    assert all(a.username != b.username for a, b in itertools.combinations(DEMO_LOGINS, 2))


@pytest.mark.django_db
def test_load_demo_refuses_to_overwrite_a_county_imported_from_real_boundaries(network):
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())

    assert Area.objects.get(code=COUNTY_CODE).name == "测试县"
