"""Issue 20, the responder's journey: the phone page of a unit's assignments (point 9)."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.volunteers.api_helpers import PHONE
from volunteers.models import Assignment
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_offer_is_announced_on_top_and_steps_are_confirmed(
    open_page, people, routed, place_responder
):
    unit = place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", phone=PHONE, members=[people["responder"]]
    )
    offer = assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk).assignment
    page = open_page(people["responder"], "/responder/", phone=True)
    # The banner counts the offer, above the units and the cards, and leads to the card.
    banner = page.locator("#offer-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1")
    card = page.locator(f"#assignment-{offer.pk}")
    assert banner.bounding_box()["y"] < page.locator(".my-units").bounding_box()["y"]
    # Accept and decline keep a thumb's distance apart.
    boxes = [b.bounding_box() for b in card.locator(".steps > *").all() if b.is_visible()]
    assert len(boxes) >= 2
    for upper, lower in itertools.pairwise(boxes):
        assert lower["y"] - (upper["y"] + upper["height"]) >= 16
    # Accept asks once; "no" goes back and nothing is sent.
    card.locator(".step-go", has_text="接单").click()
    expect(card.locator(".step-confirm").first).to_be_visible()
    card.locator(".step-back").first.click()
    expect(card.locator(".step-go", has_text="接单")).to_be_visible()
    assert Assignment.objects.get(pk=offer.pk).state == "offered"
    card.locator(".step-go", has_text="接单").click()
    with page.expect_navigation():
        card.locator(".step-yes").first.click()
    assert Assignment.objects.get(pk=offer.pk).state == "accepted"
    expect(page.locator("#offer-banner")).to_be_hidden()
    card = page.locator(f"#assignment-{offer.pk}")
    # The matter's page, with the parties as this unit may see them.
    with page.expect_navigation():
        card.locator("a.matter-link").click()
    assert page.url.endswith(f"/incidents/{routed.pk}/")
    expect(page.locator("h1")).to_contain_text(routed.title)
    assert page.errors == []
