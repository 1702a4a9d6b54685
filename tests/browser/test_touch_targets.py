"""Issue 20 point 12: on phone pages every touch target (menu, navigation links, checkboxes, map
buttons) is at least 44 px in both directions."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

MINIMUM = 44

# The box a finger hits: a checkbox's label when it has one, else the element itself.
MEASURE = """
(selector) => [...document.querySelectorAll(selector)]
  .filter(el => el.offsetParent !== null || el.getClientRects().length)
  .map(el => {
    let target = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      const byFor = el.id && document.querySelector(`label[for="${el.id}"]`);
      target = el.closest('label') || byFor || el;
    }
    const r = target.getBoundingClientRect();
    return {what: (target.textContent || target.className || el.name || '').trim().slice(0, 30),
            width: Math.round(r.width), height: Math.round(r.height)};
  })
  .filter(box => box.width > 0 && box.height > 0)
"""


def small(page, selector: str) -> list[dict]:
    return [
        box
        for box in page.evaluate(MEASURE, selector)
        if box["width"] < MINIMUM or box["height"] < MINIMUM
    ]


@pytest.mark.parametrize(
    "path", ["/", "/incidents/my-grid/", "/incidents/new/field/", "/incidents/"]
)
def test_menu_and_navigation_links_are_44_px(open_page, people, path):
    page = open_page(people["leader_a1"], path, phone=True)

    assert small(page, ".nav-toggle-label") == []
    page.click(".nav-toggle-label")
    assert small(page, ".site-nav > a, .site-nav .link-button") == []


@pytest.mark.parametrize("path", ["/incidents/new/field/", "/incidents/", "/map/"])
def test_checkboxes_are_44_px(open_page, people, path):
    page = open_page(people["leader_a1"], path, phone=True)
    page.wait_for_timeout(300)

    assert small(page, "main input[type=checkbox], main input[type=radio]") == []


@pytest.mark.parametrize("path", ["/map/", "/incidents/new/field/"])
def test_map_buttons_are_44_px(open_page, people, path):
    page = open_page(people["leader_a1"], path, phone=True)
    page.wait_for_selector(".leaflet-control-zoom a")

    assert small(page, ".leaflet-control-zoom a, .leaflet-control-layers-toggle") == []
