"""The operations map in Chromium: layers switching, responders, and no request off the host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import show_at, wait_for_matters
from tests.factories import IN_GRID_A1_SOUTH

pytestmark = pytest.mark.django_db(transaction=True)


def test_layers_switch_on_and_off(open_page, people, intake, place_responder):
    intake()
    place_responder("调解员王平", 104.606, 35.006)
    page = open_page(people["county"], "/map/", locale="en-GB")
    wait_for_matters(page)
    control = page.locator(".leaflet-control-layers")
    control.hover()
    villages = page.locator(".leaflet-areas-village-pane path")
    assert villages.count() == 0
    page.get_by_role("checkbox", name="Villages / communities", exact=True).check()
    expect(villages).to_have_count(4)
    page.get_by_role("checkbox", name="Villages / communities", exact=True).uncheck()
    expect(villages).to_have_count(0)

    matters = page.locator(".leaflet-matters-pane canvas")
    assert matters.count() > 0
    page.get_by_role("checkbox", name="Matters", exact=True).uncheck()
    expect(matters).to_have_count(0)
    with page.expect_response(lambda r: "/tiles/responders/" in r.url) as tile:
        page.get_by_role("checkbox", name="Responders", exact=True).check()
    assert tile.value.status == 200
    page.get_by_role("checkbox", name="Matters", exact=True).check()
    show_at(page, *IN_GRID_A1_SOUTH, 14)
    page.get_by_role("checkbox", name="Grid cells", exact=True).check()
    expect(page.locator(".leaflet-areas-grid-pane path")).to_have_count(8)
    assert page.errors == []


def test_map_page_loads_everything_from_its_own_host(open_page, people, intake, live_server):
    intake()
    host = urlsplit(live_server.url).hostname
    page = open_page(people["county"], "/accounts/login/")  # signed in; now watch the map
    left, answered = [], []

    def guard(route):
        if urlsplit(route.request.url).hostname == host:
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("response", lambda r: answered.append((r.status, r.url)))
    page.goto(f"{live_server.url}/map/")
    wait_for_matters(page)
    page.wait_for_load_state("networkidle")
    assert left == []
    statics = [(status, url) for status, url in answered if "/static/" in url]
    assert {url.rsplit("/", 1)[-1] for _s, url in statics} >= {
        "leaflet.js",
        "Leaflet.VectorGrid.bundled.js",
        "leaflet-heat.js",
        "area-map.js",
        "leaflet.css",
    }
    assert all(status == 200 for status, _url in statics)
    assert any("/tiles/incidents/" in url and status == 200 for status, url in answered)
    assert page.errors == []
