"""Names from the database are shown as text on the maps: a unit or an area named like an HTML
tag shows that text on hover, and nothing of it runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gridmap.models import Area
from tests.browser.conftest import show_at, wait_for_matters
from tests.factories import IN_GRID_A1_SOUTH

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = "<img src=x onerror=window.__xss=1>"


def area_map_point(page, lon: float, lat: float) -> dict:
    return page.evaluate(
        "([lat, lon]) => { const p = window.PinganAreaMap.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )


def test_a_unit_named_like_html_shows_as_text_on_the_dispatch_console(
    open_page, people, intake, walk, place_responder
):
    matter = walk(intake(), "routed")
    place_responder(PAYLOAD, 104.606, 35.006)
    page = open_page(people["village"], f"/dispatch/incidents/{matter.pk}/", locale="en-GB")
    expect(page.locator("#candidates tbody tr", has_text=PAYLOAD)).to_be_visible()

    tooltip = page.locator(".leaflet-tooltip")
    for marker in page.locator("#dispatch-map path.leaflet-interactive").all():
        marker.hover(force=True)
        if tooltip.count() and PAYLOAD in tooltip.first.inner_text():
            break
    # The dot's label is the list's: its number and the name (console-dots.js).
    expect(tooltip.first).to_have_text(f"1 {PAYLOAD}")
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []


def test_an_area_named_like_html_shows_as_text_on_the_map(open_page, people, intake, network):
    codes = ["621122100000", "621122100001", "621122100001001"]
    Area.objects.filter(code__in=codes).update(name=PAYLOAD)
    page = open_page(people["county"], "/map/", locale="en-GB")
    wait_for_matters(page)
    show_at(page, *IN_GRID_A1_SOUTH, 16)

    page.wait_for_selector(".leaflet-areas-township-pane path.leaflet-interactive")
    # The matters' tiles lie above the areas and take the pointer: switch them off.
    page.locator(".leaflet-control-layers").hover()
    page.get_by_role("checkbox", name="Matters").uncheck()
    point = area_map_point(page, *IN_GRID_A1_SOUTH)
    box = page.locator("#area-map").bounding_box()

    page.mouse.move(box["x"] + point["x"] - 5, box["y"] + point["y"] - 5)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])

    tooltip = page.locator(".leaflet-tooltip").first
    expect(tooltip).to_have_text(PAYLOAD)
    assert page.locator(".leaflet-tooltip img, .area-label img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []
