"""The live feed on a phone (390 × 844, Chromium): a new offer arrives on the responder's open page
while its toast is shown, and the offer's buttons stay usable: nothing covers them, and the unit
card above says at once that the unit is offered a matter (static/js/live.js, responder.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from volunteers.choices import AssignmentState
from volunteers.models import Assignment
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 5_000  # the figure: on the responder's page within 5 s

# Whether the whole element can be tapped where it is: at its centre and near each edge the element
# itself (or something inside it) is drawn, in the window and under nothing else; else why not.
HIT_TEST = """(node) => {
  const box = node.getBoundingClientRect();
  const inset = 3, midX = box.left + box.width / 2, midY = box.top + box.height / 2;
  const points = [[midX, midY], [midX, box.top + inset], [midX, box.bottom - inset],
    [box.left + inset, midY], [box.right - inset, midY]];
  for (const [x, y] of points) {
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return `outside the window: ${y}`;
    const top = document.elementFromPoint(x, y);
    if (!(top === node || node.contains(top))) {
      return top ? `covered at ${x},${y} by ${top.className || top.tagName}` : 'nothing there';
    }
  }
  return 'the button';
}"""


def _offer_arrives(open_page, people, intake, walk, place_responder):
    """The responder's page open on a phone; a matter is then offered to their unit."""
    matter = walk(intake(), "routed")
    unit = place_responder("调解员王平", 104.606, 35.006, members=[people["responder"]])
    page = open_page(people["responder"], "/responder/", phone=True)
    expect(page.locator("html")).to_have_attribute("data-live-mode", "poll")
    page.evaluate("window.notReloaded = true")
    offer = assign(incident_id=matter.pk, actor=people["village"], responder_id=unit.pk)
    card = page.locator(f"#assignment-{offer.assignment.pk}")
    expect(card).to_be_visible(timeout=LIVE_WITHIN_MS)
    toast = page.locator(".live-toast", has_text=matter.number)
    expect(toast).to_be_visible(timeout=LIVE_WITHIN_MS)
    return page, offer.assignment, card, toast


def test_on_a_phone_the_live_toast_leaves_the_new_offers_buttons_free(
    open_page, people, intake, walk, place_responder
):
    page, assignment, card, toast = _offer_arrives(open_page, people, intake, walk, place_responder)
    accept = card.locator(".step-form button").first
    decline = card.locator("details.action-form summary").first
    page.wait_for_timeout(500)  # the page has settled (the offer shown, the toast in place)

    # Where the page left them, without scrolling: in the window and on top.
    assert accept.evaluate(HIT_TEST) == "the button"
    assert decline.evaluate(HIT_TEST) == "the button"
    assert toast.is_visible()  # … while the toast is still shown
    accept.click(timeout=2_000)  # no force: Playwright checks that the button gets the click
    # The step asks once (issue 20), then is sent through the offline queue
    # (docs/field-app.md), and the page reloads with the server's state.
    with page.expect_navigation():
        card.locator(".step-yes").first.click(timeout=2_000)

    page.wait_for_url("**/responder/**")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACCEPTED
    assert page.errors == []


def test_on_a_phone_the_live_toast_can_be_dismissed(
    open_page, people, intake, walk, place_responder
):
    page, _assignment, _card, toast = _offer_arrives(
        open_page, people, intake, walk, place_responder
    )
    close = toast.locator(".live-toast-close")
    box = close.bounding_box()
    assert box["width"] >= 40  # a finger's tap, not a pin's
    assert box["height"] >= 40
    close.click()
    expect(toast).to_have_count(0)
    assert page.errors == []


def test_the_unit_card_says_offered_as_soon_as_the_offer_arrives(
    open_page, people, intake, walk, place_responder
):
    page, assignment, _card, _toast = _offer_arrives(
        open_page, people, intake, walk, place_responder
    )
    unit_card = page.locator(".unit-card").first
    expect(unit_card.locator(".assignment-chip")).to_have_text("已派单", timeout=LIVE_WITHIN_MS)
    expect(unit_card).to_contain_text("已承接 1/1")
    assert page.evaluate("window.notReloaded") is True
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.OFFERED
    assert page.errors == []
