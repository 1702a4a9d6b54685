"""Issue 20: an axe-core accessibility run on the main pages of the four journeys.

axe-core (package.json devDependencies, vendored by scripts/vendor.sh into
tests/browser/vendor/axe-core/: test-only, the site never serves it) is evaluated in each page
through the browser's DevTools protocol, which the page's Content-Security-Policy does not
govern, and must report no "serious" or "critical" violation of WCAG 2.1 A/AA.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_usability_briefing import briefing_path
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {

    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


def violations(page: Page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # maps and lists the scripts fill in
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


def check(page: Page, path: str) -> list[dict]:
    """Open ``path`` in ``page`` (already signed in) and name its blocking violations."""
    origin = "/".join(page.url.split("/", 3)[:3])
    page.goto(origin + path)
    return [{"page": path, **v} for v in violations(page)]


@pytest.fixture
def dispatch_scene(routed, place_responder, people):
    """A routed matter with a candidate, and one offered to the demo responder's unit."""
    place_responder("县调解员", 104.615, 35.005, phone="13800000000")
    unit = place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", members=[people["responder"]]
    )
    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
    return routed


def test_the_login_page_has_no_serious_accessibility_violations(open_page):
    page = open_page(None, "/accounts/login/")
    assert violations(page) == []


def test_the_dispatchers_pages_have_no_serious_accessibility_violations(
    open_page, people, dispatch_scene
):
    page = open_page(people["county"], "/")
    found = [{"page": "/", **v} for v in violations(page)]
    for path in (
        "/incidents/",
        f"/incidents/{dispatch_scene.pk}/",
        f"/dispatch/incidents/{dispatch_scene.pk}/",
        "/dispatch/",
        "/map/",
    ):
        found += check(page, path)
    # The console with the results of a search of all candidates shown.
    page.goto(page.url.split("/map/")[0] + f"/dispatch/incidents/{dispatch_scene.pk}/")
    page.locator("#candidate-search-q").fill("调解员")
    page.locator("#candidate-search button[type=submit]").click()
    expect(page.locator("#candidate-search-results tbody tr").first).to_be_visible()
    found += [{"page": "console with search results", **v} for v in violations(page)]
    assert found == []


def test_the_leaders_pages_have_no_serious_accessibility_violations(
    open_page, people, dispatch_scene
):
    page = open_page(people["boss"], "/")
    found = [{"page": "/", **v} for v in violations(page)]
    for path in (briefing_path(), "/analytics/"):
        found += check(page, path)
    assert found == []


def test_the_grid_leaders_phone_pages_have_no_serious_accessibility_violations(
    open_page, people, dispatch_scene
):
    page = open_page(people["leader_a1"], "/", phone=True)
    found = [{"page": "/", **v} for v in violations(page)]
    page.locator(".nav-toggle-label").click()
    expect(page.locator(".site-nav")).to_be_visible()
    found += [{"page": "/ with the menu open", **v} for v in violations(page)]
    for path in ("/incidents/new/field/", "/incidents/my-grid/"):
        found += check(page, path)
    assert found == []


def test_the_responders_phone_page_has_no_serious_accessibility_violations(
    open_page, people, dispatch_scene
):
    page = open_page(people["responder"], "/", phone=True)
    found = [{"page": "/", **v} for v in violations(page)]
    found += check(page, "/responder/")
    assert found == []


def test_the_imports_page_has_no_serious_accessibility_violations(open_page, people):
    page = open_page(people["admin"], "/imports/")
    assert violations(page) == []


def test_the_phone_menu_opens_from_the_keyboard(open_page, people):
    page = open_page(people["leader_a1"], "/", phone=True)
    nav = page.locator(".site-nav")
    expect(nav).to_be_hidden()
    toggle = page.get_by_role("checkbox", name="菜单")
    toggle.focus()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_be_visible()


def test_the_briefing_tables_name_every_column(open_page, people):
    page = open_page(people["boss"], briefing_path())
    empty = page.locator("table th").evaluate_all(
        "(cells) => cells.filter((c) => !c.textContent.trim()).length"
    )
    assert empty == 0
