"""The dispatch console with roads loaded: ETAs by road, and the way of the unit pointed at drawn
on the map (tests/volunteers/test_candidates_by_road.py has the river network)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.volunteers.test_candidates_by_road import ACROSS, ALONG, RIVER, load_roads

pytestmark = pytest.mark.django_db(transaction=True)

ROAD_BLUE = "#1565c0"


def test_the_console_shows_etas_by_road_and_draws_the_way_of_a_candidate(
    open_page, people, intake, walk, place_responder
):
    load_roads(*RIVER)
    matter = walk(intake(), "routed")
    place_responder("across", *ACROSS, travel_mode="bike")
    place_responder("along", *ALONG, travel_mode="bike")

    page = open_page(people["village"], f"/dispatch/incidents/{matter.pk}/", locale="en-US")

    rows = page.locator("#candidates tbody tr")
    expect(rows.first).to_contain_text("along")  # across the river is nearer, later by road
    expect(rows.first.locator("td.eta")).to_contain_text("by road")
    expect(rows.first.locator(".reasons")).to_contain_text("by road")
    # The first choice's way is drawn at once; pointing at the other draws its way instead.
    caption = page.locator("#route-caption")
    expect(caption).to_contain_text("Way of along")
    expect(caption).to_have_attribute("data-source", "road")
    route = page.locator(f"#dispatch-map path[stroke='{ROAD_BLUE}']")
    expect(route).to_have_count(1)
    short = route.get_attribute("d")
    rows.nth(1).hover()
    expect(caption).to_contain_text("Way of across")
    expect(route).to_have_count(1)
    assert route.get_attribute("d") != short  # round by the bridge now
    assert page.errors == []


def test_without_roads_the_console_says_straight_line_and_draws_it_dashed(
    open_page, people, intake, walk, place_responder
):
    matter = walk(intake(), "routed")
    place_responder("across", *ACROSS, travel_mode="bike")

    page = open_page(people["village"], f"/dispatch/incidents/{matter.pk}/", locale="en-US")

    expect(page.locator("#candidates tbody tr").first.locator("td.eta")).to_contain_text(
        "straight line"
    )
    caption = page.locator("#route-caption")
    expect(caption).to_have_attribute("data-source", "straight_line")
    expect(page.locator("#dispatch-map path[stroke-dasharray='6 6']")).to_have_count(1)
    assert page.errors == []
