"""The service circle on a hand-built grid: shares equal hand-computed ones, and the greedy
choice of new sites equals the best pair found by brute force.

The network of tests.factories: grid cells 0.01° × 0.01°; two village roads along y = 35.005,
R1 through the south cells of township A (x 104.60 → 104.62) and R2, not joined to it, through
those of township B (104.62 → 104.64). By bike (village road: 12 km/h, 200 m a minute) five
minutes reach 1,000 m of road; each road is ~1,824 m long, ~912 m in each cell.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from django.contrib.gis.geos import Point

from analytics.coverage.reach import (
    covered_residents,
    greedy_sites,
    load_demand,
    reach_each,
    service_points_reach,
)
from analytics.coverage.report import coverage
from analytics.models import ServicePoint
from gridmap.models import Area
from roads.models import RoadEdge
from tests.roads.conftest import road_network  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

Y = 35.005
POPULATION = {
    "621122100001001": 1000,  # A1 south: R1's west half
    "621122100002001": 2000,  # A2 south: R1's east half
    "621122100001002": 400,  # A1 north: no road
    "621122100002002": 600,  # A2 north: no road
    "621122101001001": 3000,  # B1 south: R2's west half
    "621122101002001": 1000,  # B2 south: R2's east half
    "621122101001002": None,  # B1 north: no figure
    "621122101002002": 500,  # B2 north: no road
}
D = 1000.0  # metres of village road a bike covers in five minutes


@pytest.fixture
def grid(network, road_network):  # noqa: F811
    for code, population in POPULATION.items():
        Area.objects.filter(code=code).update(population=population)
    # Village centres on the roads, a quarter of the way along each village's road.
    for code, x in (
        ("621122100001", 104.605),
        ("621122100002", 104.615),
        ("621122101001", 104.625),
        ("621122101002", 104.635),
    ):
        Area.objects.filter(code=code).update(label_point=Point(x, Y, srid=4326))
    # Two roads 9 m apart: beyond the 1 m within which noding joins a dead end to a road.
    road_network(
        (((104.60, Y), (104.62, Y)), "village"), (((104.62 + 1e-4, Y), (104.64, Y)), "village")
    )
    ServicePoint.objects.create(
        name="甲镇调解室",
        kind="room",
        point=Point(104.60, Y, srid=4326),
        area=network["621122100001001"],
    )
    return network


def road_length(x0: float) -> float:
    """The length (m) the network gives the road starting at longitude ``x0``."""
    return next(e.length_m for e in RoadEdge.objects.all() if abs(e.geom.coords[0][0] - x0) < 1e-4)


def test_coverage_per_township_and_county_equals_the_hand_computed_shares(grid):
    length = road_length(104.60)
    a2_share = (D - length / 2) / (length / 2)  # the reached part of R1's east half
    result = coverage(grid["621122000000"], mode="bike", minutes=5)
    rows = {row.code: row for row in result.rows}
    a, b = rows["621122100000"], rows["621122101000"]
    assert result.service_points == 1
    assert a.population == 4000
    assert a.covered == pytest.approx(1000 + 2000 * a2_share, rel=1e-3)
    assert a.share == pytest.approx((1000 + 2000 * a2_share) / 4000, rel=1e-3)
    assert a.no_road == 1000
    assert (b.population, b.covered, b.no_road) == (4500, 0, 500)
    assert result.total.population == 8500
    assert result.total.share == pytest.approx((1000 + 2000 * a2_share) / 8500, rel=1e-3)
    assert result.cells_without_population == 1
    shares = {Area.objects.get(pk=pk).code: share for pk, share in result.shares.items()}
    assert shares["621122100001001"] == pytest.approx(1.0)
    assert shares["621122100002001"] == pytest.approx(a2_share, rel=1e-3)
    assert shares["621122101001001"] == 0


def test_a_township_report_lists_its_villages(grid):
    result = coverage(grid["621122100000"], mode="bike", minutes=5)
    assert [row.code for row in result.rows] == ["621122100001", "621122100002"]
    assert result.rows[0].covered == pytest.approx(1000)
    assert result.total.population == 4000


def test_more_time_covers_more_and_walking_less(grid):
    five = coverage(grid["621122000000"], mode="bike", minutes=5).total.covered
    ten = coverage(grid["621122000000"], mode="bike", minutes=10).total.covered
    walk = coverage(grid["621122000000"], mode="walk", minutes=5).total.covered
    assert walk < five < ten
    assert ten == pytest.approx(3000)  # both south cells of township A, whole


def test_greedy_sites_match_the_best_pair_found_by_brute_force(grid):
    county = grid["621122000000"]
    demand = load_demand(county, mode="bike", minutes=5)
    base, _count = service_points_reach(demand)
    villages = ["621122100001", "621122100002", "621122101001", "621122101002"]
    points = [(Area.objects.get(code=c).label_point.x, Y) for c in villages]
    candidates = reach_each(demand, points)
    covered = covered_residents(demand, base)

    def with_sites(indexes) -> float:
        reach = base
        for index in indexes:
            reach = reach.merged(candidates[index])
        return covered_residents(demand, reach)

    best = max(combinations(range(4), 2), key=with_sites)
    sites = greedy_sites(demand, base, candidates, 2)
    assert {site.index for site in sites} == set(best) == {1, 2}  # A2 and B1
    assert covered + sum(site.gain for site in sites) == pytest.approx(with_sites(best))
    # B1 first (all of B1 south, part of B2 south), then A2 (the rest of A2 south), not B2:
    # the two largest single gains (B1, B2) are not the best pair.
    assert [site.index for site in sites] == [2, 1]
    single = {i: with_sites([i]) - covered for i in range(4)}
    assert sorted(single, key=single.get)[-2:] == [3, 2]
    assert sites[0].gain == pytest.approx(single[2])


def test_suggestions_in_the_report_carry_their_gain_and_the_share_after(grid):
    result = coverage(grid["621122000000"], mode="bike", minutes=5, suggest=2)
    first, second = result.suggestions
    assert (first.code, second.code) == ("621122101001", "621122100002")
    assert first.gain > second.gain > 0
    assert second.share_after == pytest.approx(
        (result.total.covered + first.gain + second.gain) / 8500
    )


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def leader_client(grid, make_user, client):
    from accounts.choices import Role

    client.force_login(make_user("circle-leader", Role.LEADERSHIP, grid["621122000000"]))
    return client


def test_the_api_gives_shares_per_township_and_suggestions(leader_client):
    body = leader_client.get(
        "/api/analytics/coverage", {"minutes": 5, "mode": "bike", "suggest": 2}
    ).json()
    assert body["area"]["code"] == "621122000000"
    assert (body["mode"], body["minutes"], body["method"]) == ("bike", 5, "road-length")
    assert [a["code"] for a in body["areas"]] == ["621122100000", "621122101000"]
    assert body["areas"][1]["share"] == 0
    assert body["total"]["population"] == 8500
    assert [s["code"] for s in body["suggestions"]] == ["621122101001", "621122100002"]


def test_the_gap_layer_lists_cells_with_residents_out_of_reach(leader_client):
    body = leader_client.get("/api/analytics/coverage/gaps", {"minutes": 5}).json()
    codes = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert "621122100001001" not in codes  # fully covered
    assert codes["621122100002001"]["share"] < 1
    assert codes["621122101002002"]["no_road"] is True
    assert "621122101001002" not in codes  # no population figure
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    "params", [{"minutes": 0}, {"minutes": "x"}, {"mode": "boat"}, {"suggest": 11}, {"area": "9"}]
)
def test_bad_coverage_input_is_a_400(leader_client, params):
    response = leader_client.get("/api/analytics/coverage", params)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_without_roads_the_coverage_api_says_so(network, make_user, client):
    from accounts.choices import Role

    client.force_login(make_user("circle-admin", Role.COUNTY_ADMIN, network["621122000000"]))
    response = client.get("/api/analytics/coverage")
    assert response.status_code == 404
    assert "import_roads" in response.json()["detail"]


# --- the briefing ---------------------------------------------------------------------------------


def test_the_briefing_has_a_service_circle_section_per_township(grid, tmp_path):
    from django.core.management import call_command

    call_command("briefing", "--area", "621122", "--period", "2026-10", "--output", str(tmp_path))
    page = (tmp_path / "briefing-621122000000-2026-10.html").read_text()
    section = page[page.index('id="service-circle"') :]
    assert "甲镇" in section
    assert "乙乡" in section
    assert "0.0%" in section  # township B: nobody within reach
    assert "8500" in section  # the county's residents
    # Ten minutes by e-bike: both south cells of township A, 3,000 of 8,500 residents.
    assert "35.3%" in section
    assert "乙乡1村" in section  # the first suggested site
