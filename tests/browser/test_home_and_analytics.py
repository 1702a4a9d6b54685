"""Issue 20 point 11: each role's home page leads with its own work; the analytics form has
styled controls, a month picker on the latest complete month, and shows a result unasked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def latest_complete_month() -> str:
    first = timezone.localdate().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def first_actions(page, count: int = 2) -> list[str]:
    """The href of the first ``count`` buttons of the page's main part."""
    return page.eval_on_selector_all(
        "main a.button", f"links => links.slice(0, {count}).map(a => a.getAttribute('href'))"
    )


def test_grid_leader_home_opens_on_my_grid_and_report_above_the_fold(open_page, people):
    page = open_page(people["leader_a1"], "/", phone=True)

    assert first_actions(page) == ["/incidents/new/field/", "/incidents/my-grid/"]
    report = page.locator("main a.button").first
    box = report.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    expect(report).to_be_visible()


def test_leader_home_opens_on_the_briefing_of_the_latest_complete_month(open_page, people):
    page = open_page(people["boss"], "/")

    first = first_actions(page, 1)[0]
    assert first.startswith("/analytics/briefing/?")
    assert "area=621122000000" in first
    assert f"period={latest_complete_month()}" in first


def test_dispatcher_home_opens_on_the_queue(open_page, people):
    page = open_page(people["county"], "/")

    assert first_actions(page, 1) == ["/incidents/"]


def test_analytics_form_has_a_month_picker_on_the_latest_complete_month(open_page, people):
    page = open_page(people["boss"], "/analytics/")

    month = page.locator("form.briefing-form input[name=period]")
    assert month.get_attribute("type") == "month"
    assert month.input_value() == latest_complete_month()


def test_analytics_form_controls_are_styled_and_large_enough(open_page, people):
    page = open_page(people["boss"], "/analytics/")

    for selector in ("select[name=area]", "input[name=period]", "button[type=submit]"):
        style = page.eval_on_selector(
            f"form.briefing-form {selector}",
            "el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();"
            " return {radius: s.borderTopLeftRadius, height: r.height, font: s.fontSize}; }",
        )
        assert style["radius"] != "0px", selector
        assert style["height"] >= 40, selector
        assert style["font"] == "16px", selector


def test_analytics_page_shows_the_latest_month_without_submitting(open_page, people, intake, walk):
    month_start = timezone.localdate().replace(day=1) - dt.timedelta(days=10)
    received = timezone.make_aware(dt.datetime.combine(month_start, dt.time(10)))
    earlier = [intake(), walk(intake(), "closed")]
    Incident.objects.filter(pk__in=[m.pk for m in earlier]).update(received_at=received)
    intake()  # this month: not counted

    page = open_page(people["boss"], "/analytics/", locale="en-GB")

    glance = page.locator("#month-glance")
    expect(glance).to_be_visible()
    expect(glance.locator("h2")).to_contain_text(latest_complete_month())
    expect(glance.locator("[data-figure=received]")).to_have_text("2")
    expect(glance.locator("[data-figure=closed]")).to_have_text("1")
