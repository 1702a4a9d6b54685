"""Reach on the area map in Chromium: the service circle's gap layer and an isochrone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.test_coverage import Y, grid, road_network  # noqa: F401  (fixtures)
from tests.browser.conftest import click_map_at

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_map_shows_the_coverage_gap_layer(open_page, people, grid):  # noqa: F811
    page = open_page(people["boss"], "/map/", locale="en-GB")
    page.get_by_role("checkbox", name="Service circle gaps (10 min by e-bike)").check()
    # Ten minutes by e-bike reach both south cells of township A from its mediation room; the
    # north cells have no road, township B's road is not joined (one cell has no population).
    expect(page.locator("path.coverage-gap")).to_have_count(5)
    expect(page.locator(".reach-status")).to_contain_text("5 grid cells")
    page.get_by_role("checkbox", name="Service circle gaps (10 min by e-bike)").uncheck()
    expect(page.locator("path.coverage-gap")).to_have_count(0)
    assert page.errors == []


def test_reachable_in_five_ten_fifteen_minutes_from_a_clicked_point(open_page, people, grid):  # noqa: F811
    page = open_page(people["county"], "/map/", locale="en-GB")
    expect(page.locator(".leaflet-areas-township-pane path")).to_have_count(2)  # fitted
    page.get_by_role("button", name="Reachable in 5/10/15 min").click()
    click_map_at(page, 104.6275, Y)  # in township B, clear of the map's controls
    expect(page.locator(".reach-legend li")).to_have_count(3)
    expect(page.locator(".reach-legend li").first).to_contain_text("5 min")
    assert page.locator(".leaflet-reach-pane path").count() >= 3
    assert page.errors == []
