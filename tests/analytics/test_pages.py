"""The leadership page, the briefing views and the heatmap API, scoped to the jurisdiction."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from analytics.periods import default_period, parse_period
from analytics.services import run_hotspots

pytestmark = pytest.mark.django_db
HEATMAP = "/api/analytics/heatmap"


def test_leadership_page_offers_the_briefing_button(client, county_leader):
    client.force_login(county_leader)
    page = client.get(reverse("analytics:index"))
    assert page.status_code == 200
    assert reverse("analytics:briefing-pdf").encode() in page.content


def test_dispatchers_cannot_open_the_leadership_page(client, make_user, network):
    client.force_login(make_user("dispatcher", Role.DISPATCHER, network["621122000000"]))
    assert client.get(reverse("analytics:index")).status_code == 403


def test_briefing_pdf_downloads(client, county_leader, matters):
    client.force_login(county_leader)
    response = client.get(
        reverse("analytics:briefing-pdf"), {"area": "621122000000", "period": "2026-10"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_briefing_html_uses_the_sites_own_leaflet(client, county_leader, matters):
    client.force_login(county_leader)
    response = client.get(
        reverse("analytics:briefing"), {"area": "621122000000", "period": "2026-10"}
    )
    assert b"/static/vendor/leaflet/leaflet" in response.content
    assert b"cdn." not in response.content


def test_township_leader_cannot_brief_on_the_county(client, township_leader, matters):
    client.force_login(township_leader)
    response = client.get(
        reverse("analytics:briefing"), {"area": "621122000000", "period": "2026-10"}
    )
    assert response.status_code == 400


def test_township_leader_briefing_ranks_only_their_villages(client, township_leader, matters):
    client.force_login(township_leader)
    response = client.get(
        reverse("analytics:briefing"), {"area": "621122101000", "period": "2026-10"}
    )
    text = response.content.decode()
    assert "乙乡1村" in text
    assert "甲镇1村" not in text


def test_malformed_period_is_a_400_in_the_sites_frame_naming_the_period(client, county_leader):
    client.force_login(county_leader)
    response = client.get(
        reverse("analytics:briefing"),
        {"area": "621122000000", "period": "x"},
        headers={"accept-language": "zh-hans"},
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert 'class="error-page"' in text
    assert 'id="site-nav"' in text
    assert "无法生成此简报" in text
    assert "时段" in text


def test_the_bare_briefing_address_opens_the_own_briefing_of_the_last_whole_month(
    client, township_leader
):
    client.force_login(township_leader)
    response = client.get(reverse("analytics:briefing"))
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith(reverse("analytics:briefing") + "?")
    assert "area=621122101000" in target
    assert f"period={default_period(timezone.localdate()).label}" in target


def test_heatmap_counts_the_matters_of_the_users_subtree_only(client, township_leader, matters):
    client.force_login(township_leader)
    data = client.get(HEATMAP, {"period": "2026-10"}).json()
    # Township B has 4 grid cells with one October matter each.
    assert data["count"] == 4
    assert data["area"] == "621122101000"


def test_heatmap_refuses_an_area_outside_the_jurisdiction(client, township_leader, matters):
    client.force_login(township_leader)
    response = client.get(HEATMAP, {"period": "2026-10", "area": "621122100000"})
    assert response.status_code == 400


def test_heatmap_density_integrates_to_the_matter_count(client, county_leader, matters):
    client.force_login(county_leader)
    data = client.get(HEATMAP, {"period": "2026-10", "kind": "dispute"}).json()
    assert data["count"] == 19
    assert data["features"][0]["geometry"]["type"] == "Point"


def test_heatmap_png_has_its_bounds(client, county_leader, matters):
    client.force_login(county_leader)
    response = client.get(HEATMAP, {"period": "2026-10", "output": "png"})
    assert response["Content-Type"] == "image/png"
    min_lon, min_lat, max_lon, max_lat = json.loads(response["X-Bounds"])
    assert min_lon < 104.60 < 104.64 < max_lon
    assert min_lat < 35.00 < 35.02 < max_lat


def test_heatmap_needs_a_login(client):
    assert client.get(HEATMAP).status_code in (401, 403)


def test_stored_run_is_served_as_geojson(client, county_leader, network, matters):
    run = run_hotspots(area=network["621122000000"], period=parse_period("2026-10"))
    client.force_login(county_leader)
    data = client.get(f"/api/analytics/hotspots/{run.pk}").json()
    assert len(data["features"]) == 8
    assert data["run"]["period"] == "2026-10"


def test_a_run_of_another_township_is_not_found(client, township_leader, network, matters):
    run = run_hotspots(area=network["621122100000"], period=parse_period("2026-10"))
    client.force_login(township_leader)
    assert client.get(f"/api/analytics/hotspots/{run.pk}").status_code == 404
