"""Issue 20 point 5 / issue 16 item 4: the small maps show where they are.

On my grid, the field report form, a matter's page, the responder's page (phones) and the dispatch
console (desktop) the map labels the grid and its neighbouring grids by name, draws the roads of
the active network once one is loaded (none before), and asks for no file that is missing. On the
console each unit's dot carries the candidate list's label, and a dot and its row light up together.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.gis.geos import LineString
from playwright.sync_api import expect

from gridmap.models import Area
from roads.services import RoadLine, build_network
from tests.browser.test_field_app import ready
from tests.browser.test_xss import PAYLOAD
from tests.roads.conftest import seed_speeds
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)

OWN_GRID = "甲镇1村第1网格"
NEIGHBOURS = {"甲镇1村第2网格", "甲镇2村第1网格"}
# Through grid A1 south (the matters' grid) into grid A2 south.
ROADS = (
    ([(104.601, 35.004), (104.609, 35.004), (104.616, 35.006)], "county"),
    ([(104.604, 35.001), (104.604, 35.009)], "village"),
)


def load_roads() -> None:
    seed_speeds()
    lines = [RoadLine(geom=LineString(c, srid=4326), road_class=k) for c, k in ROADS]
    build_network(name="测试路网", lines=lines)


def watched(page):
    """Reload ``page`` recording every 404 it meets (a missing script, style or image)."""
    page.missing = []
    page.on("response", lambda answer: answer.status == 404 and page.missing.append(answer.url))
    page.reload()
    return page


def context_of(page, holder: str) -> tuple[set[str], int]:
    """The area names labelled on the map in ``holder`` and how many road lines it draws."""
    page.wait_for_selector(f"{holder}[data-context=loaded]", state="attached")
    labels = set(page.locator(f"{holder} .context-label").all_text_contents())
    return labels, page.locator(f"{holder} path.context-road").count()


@pytest.fixture
def small_map(open_page, people, intake, routed, place_responder):
    """Open one small map: (page, the map's selector)."""

    def run(name: str):
        if name == "my-grid":
            page = open_page(people["leader_a1"], "/incidents/my-grid/", phone=True)
            return page, "#incident-map"
        if name == "field-form":
            page = open_page(people["leader_a1"], "/incidents/new/field/", phone=True)
            return page, "#pick-map"
        if name == "detail":
            page = open_page(people["leader_a1"], f"/incidents/{routed.pk}/", phone=True)
            return page, "#incident-map"
        if name == "responder":
            unit = place_responder(
                "村调解员", 104.611, 35.011, home="621122100001", members=[people["responder"]]
            )
            # The unit stands at the corner of four grids, the matter in grid A1 south.
            assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
            return open_page(people["responder"], "/responder/", phone=True), "#responder-map"
        place_responder("北关调解室", 104.607, 35.006)
        page = open_page(people["village"], f"/dispatch/incidents/{routed.pk}/")
        return page, "#dispatch-map"

    return run


@pytest.mark.parametrize("name", ["my-grid", "field-form", "detail", "responder", "console"])
def test_a_small_map_names_the_grid_and_its_neighbours_and_draws_roads_once_loaded(small_map, name):
    page, holder = small_map(name)
    page = watched(page)
    labels, roads = context_of(page, holder)
    assert {OWN_GRID, *NEIGHBOURS} <= labels
    assert "甲镇1村" in labels  # the village too
    assert roads == 0  # no network loaded: no road drawn

    load_roads()
    page.reload()
    labels, roads = context_of(page, holder)
    assert roads >= len(ROADS)
    assert OWN_GRID in labels
    # The roads lie under the page's own data: the context pane sits below the overlay pane.
    z = page.evaluate(
        "(holder) => ['context', 'overlay'].map((name) => Number(getComputedStyle("
        "document.querySelector(`${holder} .leaflet-${name}-pane`)).zIndex))",
        holder,
    )
    assert z[0] < z[1]
    assert page.missing == []
    assert page.errors == []


def test_console_dots_carry_the_list_labels_and_light_up_with_their_rows(
    open_page, people, routed, place_responder
):
    place_responder("北关调解室", 104.607, 35.006)
    place_responder("城南调解组", 104.603, 35.003)
    page = open_page(people["village"], f"/dispatch/incidents/{routed.pk}/")
    rows = page.locator("#candidates tbody tr[data-responder]")
    expect(rows).to_have_count(2)
    listed = [
        f"{row.locator('td').nth(0).inner_text().strip()} {row.locator('strong').inner_text()}"
        for row in rows.all()
    ]
    assert listed[0].startswith("1 ")
    dots = page.locator("#dispatch-map .leaflet-tooltip.dot-label")
    expect(dots).to_have_count(2)
    assert sorted(dots.all_text_contents()) == sorted(listed)

    # Pointing at the second row lights its dot; pointing at a dot lights its row.
    second = rows.nth(1)
    second_id = second.get_attribute("data-responder")
    second.locator("td").nth(1).hover()
    lit = page.locator("#dispatch-map .dot-label.active")
    expect(lit).to_have_count(1)
    expect(lit).to_have_attribute("data-responder", second_id)
    first_id = rows.nth(0).get_attribute("data-responder")
    page.locator(f'#dispatch-map path.responder-dot[data-responder="{first_id}"]').dispatch_event(
        "mouseover"
    )
    expect(rows.nth(0)).to_have_class(re.compile(r"\bpointed\b"))
    expect(page.locator("#candidates tr.pointed")).to_have_count(1)
    assert page.errors == []


def test_without_a_connection_my_grid_keeps_its_map_and_says_what_is_missing(open_page, people):
    page = open_page(people["leader_a1"], "/incidents/my-grid/", phone=True)
    page.wait_for_selector("#incident-map[data-context=loaded]", state="attached")
    note = page.locator("#incident-map .context-note")
    expect(note).to_be_hidden()
    page.context.set_offline(True)
    # Moving the map asks for the context of the new view, which cannot come.
    box = page.locator("#incident-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=5)
    page.mouse.up()
    expect(note).to_be_visible()
    expect(note).to_have_text("离线：网络恢复前不显示周边区域和道路。")
    # The labels already drawn stay.
    expect(page.locator("#incident-map .context-label", has_text="甲镇1村第1网格")).to_have_count(1)
    page.context.set_offline(False)
    expect(note).to_be_hidden()
    assert page.errors == []


def test_an_area_named_like_html_is_labelled_as_text(open_page, people, network):
    Area.objects.filter(code="621122100002001").update(name=PAYLOAD)
    page = open_page(people["leader_a1"], "/incidents/my-grid/", phone=True)
    page.wait_for_selector("#incident-map[data-context=loaded]", state="attached")
    expect(page.locator("#incident-map .context-label", has_text=PAYLOAD)).to_have_count(1)
    assert page.locator("#incident-map .context-label img").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.errors == []


def test_my_grid_opened_offline_names_its_surroundings_as_last_loaded(open_page, people):
    page = ready(open_page(people["leader_a1"], "/incidents/my-grid/", phone=True))
    page.wait_for_selector("#incident-map[data-context=loaded]", state="attached")
    context = page.context
    context.set_offline(True)
    again = context.new_page()
    again.goto(page.url)  # no network: the copy of the page saved on the phone
    again.wait_for_selector("#incident-map[data-context=saved]", state="attached")
    labels = set(again.locator("#incident-map .context-label").all_text_contents())
    assert {OWN_GRID, *NEIGHBOURS} <= labels
    expect(again.locator("#incident-map .context-note")).to_have_text(
        "离线：显示本设备上次加载的周边区域和道路。"
    )
    context.set_offline(False)
