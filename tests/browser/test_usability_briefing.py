"""Issue 20, the leader's journey: the briefing page (points 1, 2, 3 and 10)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics.periods import add_months
from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)

COUNTY = "621122000000"
TOWNSHIP_A = "621122100000"  # 甲镇: every matter intake() takes in is there


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def briefing_path(area: str = COUNTY, period: str | None = None) -> str:
    return f"/analytics/briefing/?area={area}&period={period or this_month()}"


def overdue_since(matter: Incident, days: float) -> None:
    due = timezone.now() - dt.timedelta(days=days)
    Incident.objects.filter(pk=matter.pk).update(received_at=due - dt.timedelta(days=1), due_at=due)


def test_the_briefing_lists_every_matter_the_queue_marks_overdue(open_page, people, intake):
    # 16 overdue matters: 15 long overdue, and one due yesterday (the queue marks it 已逾期).
    for index in range(15):
        overdue_since(intake(title=f"久拖事项{index}"), 30 + index)
    overdue_since(intake(title="昨天到期的事项"), 1)
    intake(title="未到期的事项")
    page = open_page(people["boss"], briefing_path())
    expect(page.locator("#overdue-list")).to_contain_text("昨天到期的事项")
    expect(page.locator("#overdue-total")).to_contain_text("16")
    # The briefing's link opens the queue filtered the same way: the same 16 matters.
    with page.expect_navigation():
        page.locator("#overdue-total a").click()
    rows = page.locator("table.matters tbody tr")
    expect(rows).to_have_count(16)
    expect(page.locator("table.matters")).to_contain_text("昨天到期的事项")
    expect(page.locator("table.matters")).not_to_contain_text("未到期的事项")
    assert page.errors == []


def test_the_region_table_and_area_map_count_overdue_matters_per_township(
    open_page, people, intake
):
    for days in (1, 2, 3):
        overdue_since(intake(title=f"逾期{days}天"), days)
    intake(title="按时的事项")
    page = open_page(people["boss"], briefing_path())
    row = page.locator(f"tr[data-area='{TOWNSHIP_A}']")
    expect(row.locator("td.overdue-now")).to_have_text("3")
    expect(row.locator("td.open-now")).to_have_text("4")
    expect(page.locator("tr[data-area='621122101000'] td.overdue-now")).to_have_text("0")
    header = page.locator("th", has_text="按时办结")
    expect(header).to_have_count(1)
    # The area map writes each township's counts on it; a click opens that township's queue.
    township = page.locator("#area-counts-map a", has_text="甲镇")
    expect(township).to_contain_text("3")
    with page.expect_navigation():
        township.locator("text").first.click()
    assert f"area={TOWNSHIP_A}" in page.url
    expect(page.locator("table.matters tbody tr")).to_have_count(4)
    assert page.errors == []


def test_a_running_month_is_marked_and_compared_with_as_many_days_before(open_page, people, intake):
    today = timezone.localdate()
    intake(title="本月事项")
    last_month = add_months(today.replace(day=1), -1)
    noon = dt.time(12, tzinfo=timezone.get_current_timezone())
    early = intake(title="上月初的事项")
    late = [intake(title=f"上月下旬的事项{i}") for i in range(3)]
    Incident.objects.filter(pk=early.pk).update(received_at=dt.datetime.combine(last_month, noon))
    Incident.objects.filter(pk__in=[m.pk for m in late]).update(
        received_at=dt.datetime.combine(last_month + dt.timedelta(days=27), noon)
    )
    # The same days of last month: day 1, and day 28 only when today is the 28th or later.
    expected_previous = 1 + (3 if today.day >= 28 else 0)
    page = open_page(people["boss"], briefing_path())
    expect(page.locator("#period-incomplete")).to_contain_text(str(today.day))
    received = page.locator(".headline", has_text="受理事项")
    expect(received.locator(".v")).to_have_text("1")
    expect(received.locator(".p")).to_contain_text(f"{expected_previous} ·")
    assert page.errors == []


def test_the_briefing_is_a_page_of_the_site_in_plain_words_with_named_maps(
    open_page, people, intake
):
    intake()
    missing = []
    page = open_page(people["boss"], "/")
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(page.url.rstrip("/") + briefing_path())
    # The site's frame: header, navigation, favicon.
    expect(page.locator("header.site-header nav.site-nav")).to_be_visible()
    assert page.locator("link[rel=icon]").count() == 1
    # Plain words in the captions; the technical terms only in the footnotes.
    captions = " ".join(page.locator("figcaption").all_inner_texts())
    for term in ("Gi*", "FDR", "EPSG"):
        assert term not in captions
        expect(page.locator("ol.footnotes")).to_contain_text(term)
    # A readable legend: dark text beside a colour swatch, not text on the colour.
    legend = page.locator("ul.legend li").first
    expect(legend.locator(".swatch")).to_have_count(1)
    # Each folium map: no flag in the attribution, a metric scale only, the townships named.
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 3
    for frame in frames:
        frame.wait_for_selector(".leaflet-control-scale")
        assert frame.locator(".leaflet-attribution-flag").count() == 0
        expect(frame.locator(".leaflet-control-attribution")).to_have_text(re.compile("^Leaflet"))
        expect(frame.locator(".leaflet-control-scale-line")).to_have_count(1)
        expect(frame.locator(".leaflet-tooltip", has_text="甲镇").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert missing == []
    assert page.errors == []
