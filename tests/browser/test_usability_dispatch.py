"""Issue 20, the dispatcher's journey: the queue, the matter's page and the console."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from incidents.routing import center_for
from volunteers.choices import ResponderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_dispatch_the_nearest_idle_unit_passes_over_a_nearer_unit_en_route(
    open_page, people, routed, place_responder
):
    # 20 m from the matter but on its way to another one (one of its two places taken).
    place_responder(
        "在途调解员", 104.6052, 35.005, status=ResponderStatus.EN_ROUTE, load=1, capacity=2
    )
    place_responder("空闲调解员", 104.608, 35.005)
    page = open_page(people["village"], f"/dispatch/incidents/{routed.pk}/")
    page.locator(".nearest-form button[type=submit]").click()
    expect(page.locator("#dispatch-status")).to_contain_text("空闲调解员")
    assert list(routed.assignments.values_list("responder__name", flat=True)) == ["空闲调解员"]
    assert page.errors == []


def test_a_dispatcher_opens_the_queue_on_new_work_and_sorts_it_by_due_time(
    open_page, people, intake, walk
):
    new = intake(title="新上报的事项")  # not routed yet: no dispatcher has acted on it
    routed = walk(intake(title="已派单的事项"), "routed")
    Incident.objects.filter(pk=routed.pk).update(due_at=timezone.now() + dt.timedelta(days=3))
    page = open_page(people["county"], "/incidents/")
    expect(page.locator("#scope-action")).to_have_attribute("aria-current", "page")
    table = page.locator("table.matters")
    expect(table).to_contain_text(new.title)
    expect(table).not_to_contain_text(routed.title)
    # Sortable columns: by due time, earliest first, then reversed.
    page.goto(page.url.split("?")[0] + "?scope=all")
    with page.expect_navigation():
        page.locator("th a.sort", has_text="期限").click()
    titles = page.locator("table.matters tbody td.col-title a")
    expect(titles.first).to_have_text(new.title)
    with page.expect_navigation():
        page.locator("th a.sort", has_text="期限").click()
    expect(titles.first).to_have_text(routed.title)
    assert page.errors == []


def test_on_a_phone_the_queue_folds_its_filters_and_fits_the_screen(open_page, people, intake):
    intake(title="手机上看的事项")
    page = open_page(people["county"], "/incidents/?scope=all", phone=True)
    expect(page.locator("#queue-filters")).not_to_have_attribute("open", "")
    expect(page.locator("form.filter-form")).to_be_hidden()
    expect(page.locator("table.matters")).to_contain_text("手机上看的事项")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.locator("#queue-filters summary").click()
    expect(page.locator("form.filter-form")).to_be_visible()
    assert page.errors == []


def test_the_detail_page_opens_the_next_step_says_where_routing_goes_and_finds_units(
    open_page, people, intake, walk, network
):
    # A center for every area but the county: the override list has them all.
    centers = [
        center_for(area) for area in network.values() if area.level in ("township", "village")
    ]
    village_center = next(c for c in centers if c.area.code == "621122100001")
    matter = walk(intake(), "assessed")
    page = open_page(people["village"], f"/incidents/{matter.pk}/")
    route = page.locator("details.action-form.next-action")
    expect(route).to_have_attribute("data-action", "route")
    expect(route.locator("form")).to_be_visible()  # open, not behind a click
    expect(route.locator("#rule-target")).to_contain_text(village_center.name)
    # The override is a searchable list: typing narrows it to the matching units.
    select = route.locator("select[name$='override_unit']")
    total = select.locator("option").count()
    assert total > 2
    route.locator("input.unit-search").fill("乙乡")
    shown = select.locator("option:not([hidden])").all_inner_texts()
    assert shown
    assert all("乙乡" in text for text in shown if text.strip("-— "))
    assert len(shown) < total
    assert page.errors == []
