"""The early-warning layer on the area map in Chromium: flagged cells, the PAI in the legend."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.analytics.warning_data import stored_outlook

pytestmark = pytest.mark.django_db(transaction=True)
LAYER = "Early warning: cells to watch next month"


def test_leadership_sees_the_flagged_cells_and_the_measured_pai(
    open_page, people, network, category
):
    stored = stored_outlook(network, category)
    page = open_page(people["boss"], "/map/", locale="en-GB")
    page.get_by_role("checkbox", name=LAYER).check()
    expect(page.locator("path.forecast-cell")).to_have_count(2)
    legend = page.locator(".forecast-legend")
    expect(legend).to_contain_text("Forecast for 2026-11: 2 flagged cells here")
    expect(page.locator(".forecast-pai")).to_have_text(
        f"Measured PAI at 5 % of the area: {stored.pai:.2f} "
        f"(interval {stored.pai_low:.2f}–{stored.pai_high:.2f})"
    )
    expect(legend).to_contain_text("Best simple method")
    page.get_by_role("checkbox", name=LAYER).uncheck()
    expect(page.locator("path.forecast-cell")).to_have_count(0)
    assert page.errors == []


def test_a_township_dispatcher_sees_only_its_cell(open_page, people, network, category):
    stored_outlook(network, category)
    page = open_page(people["township"], "/map/", locale="en-GB")
    page.get_by_role("checkbox", name=LAYER).check()
    expect(page.locator("path.forecast-cell")).to_have_count(1)
    expect(page.locator(".forecast-legend")).to_contain_text("1 flagged cells here")
    assert page.errors == []


def test_a_grid_leader_has_no_early_warning_layer(open_page, people, network, category):
    page = open_page(people["leader_a1"], "/map/", locale="en-GB")
    expect(page.locator(".leaflet-areas-township-pane path").first).to_be_attached()
    assert page.get_by_role("checkbox", name=LAYER).count() == 0
    assert page.errors == []
