"""The three journeys end to end in Chromium, on the live server and real PostGIS."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import click_map_at, show_at, wait_for_matters
from tests.factories import IN_GRID_A1_SOUTH, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

# Inside grid A1 south of the test network (tests/factories.py).
GPS = {"latitude": 35.0052, "longitude": 104.6047, "accuracy": 8}


def fill_hazard(page, title: str) -> None:
    page.select_option("#id_category", "fire")
    page.select_option("#id_tier", "ordinary")
    page.fill("#id_title", title)
    page.fill("#id_description", "楼道堆放杂物，堵塞消防通道。")


def attach_photo(page) -> None:
    page.set_input_files(
        "#id_photos",
        files=[
            {"name": "hazard.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(320, 240))}
        ],
    )


def test_grid_leader_logs_a_hazard_with_gps_and_a_photo_and_sees_it_on_my_grid(open_page, people):
    page = open_page(
        people["leader_a1"],
        "/incidents/new/field/",
        phone=True,
        permissions=["geolocation"],
        geolocation=GPS,
    )
    fill_hazard(page, "楼道堵塞消防通道")
    page.click("#use-location")
    expect(page.locator("#gps-status")).to_contain_text("8")  # accuracy in metres, in Chinese
    assert page.input_value("#id_lat").startswith("35.0052")
    attach_photo(page)
    with page.expect_navigation():
        page.click("button.primary.big")
    incident = Incident.objects.get(title="楼道堵塞消防通道")
    assert incident.kind == "hazard"
    assert incident.grid.code == "621122100001001"
    assert incident.location_accuracy_m == 8
    assert incident.photos.count() == 1
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    page.goto(page.url.split("/incidents/")[0] + "/incidents/my-grid/")
    expect(page.locator("main")).to_contain_text("楼道堵塞消防通道")
    assert page.errors == []


def test_denied_geolocation_says_so_and_the_map_tap_places_the_point(open_page, people):
    page = open_page(people["leader_a1"], "/incidents/new/field/", phone=True, locale="en-GB")
    fill_hazard(page, "Blocked fire exit")
    page.click("#use-location")
    expect(page.locator("#gps-status")).to_contain_text("Location permission was refused")
    assert page.input_value("#id_lat") == ""
    pick = page.locator("#pick-map")
    pick.click(position={"x": pick.bounding_box()["width"] / 2, "y": 80})
    expect(page.locator("#gps-status")).to_contain_text("Point placed on the map")
    assert page.input_value("#id_lat") != ""


def test_dispatcher_opens_a_matter_on_the_map_and_assigns_a_candidate(
    open_page, people, intake, walk, place_responder
):
    matter = walk(intake(), "routed")
    place_responder("调解员王平", 104.606, 35.006)
    page = open_page(people["village"], "/map/")
    wait_for_matters(page)
    show_at(page, *IN_GRID_A1_SOUTH, 16)
    click_map_at(page, *IN_GRID_A1_SOUTH)
    panel = page.locator("#area-panel")
    expect(panel).to_contain_text(matter.title)
    with page.expect_navigation():
        panel.locator("#panel-dispatch").click()
    assert page.url.endswith(f"/dispatch/incidents/{matter.pk}/")
    row = page.locator("#candidates tbody tr", has_text="调解员王平")
    row.locator("button[type=submit]").click()
    expect(page.locator("#dispatch-status")).to_contain_text("调解员王平")
    assert matter.assignments.filter(responder__name="调解员王平").exists()
    assert page.errors == []


def test_leader_opens_the_heatmap_for_last_month_and_a_township(open_page, people, intake):
    month_start = timezone.localtime().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    last_month = month_start - dt.timedelta(days=10)
    old = [intake() for _ in range(3)]
    Incident.objects.filter(pk__in=[m.pk for m in old]).update(
        received_at=last_month, due_at=last_month + dt.timedelta(days=1)
    )
    intake()  # this month's: not in the heatmap for last month
    page = open_page(people["boss"], "/map/", locale="en-GB")
    wait_for_matters(page)
    page.locator(".leaflet-control-layers").hover()
    page.get_by_role("checkbox", name="Heatmap", exact=True).check()
    page.select_option("#filter-state", "all")
    page.select_option("#filter-period", "last_month")
    with page.expect_response(re.compile(r"/tiles/incidents/heat\.json\?.*area=621122100000")) as r:
        page.select_option("#filter-area", "621122100000")
    body = r.value.json()
    assert sum(cell[2] for cell in body["cells"]) == 3
    expect(page.locator("#area-map")).to_have_attribute("data-heat-cells", re.compile(r"[1-9]"))
    expect(page.locator("#area-panel h2")).to_have_text("甲镇")
    assert page.locator(".leaflet-heatmap-layer").count() == 1
    assert page.errors == []
