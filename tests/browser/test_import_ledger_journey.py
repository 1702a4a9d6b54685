"""The county administrator's first ledger, in Chromium: upload on /imports/, the background
check's preview (counts, the bad row refused), upload again importing the good rows, confirm,
and the matters on the operations map, the one placed by place name marked approximate.

The background jobs run in a real job-runner process (``manage.py procrastinate worker`` on the
test database, as tests/jobs/ start it); the page polls and reloads as it does for a user.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.choices import Role
from gridmap.models import Area
from incidents.models import Incident
from tests.browser.conftest import click_map_at, show_at, wait_for_matters
from tests.factories import STEP, X0, Y0
from tests.jobs import conftest as jobs
from tests.onboarding import conftest as onboarding
from tests.onboarding.conftest import write_xlsx

pytestmark = pytest.mark.django_db(transaction=True)

# Fixtures of other suites: the onboarding tests' small county, the job tests' worker process.
county = onboarding.county
clean_queue, start_worker = jobs.clean_queue, jobs.start_worker

HEADER = ["编号", "登记时间", "纠纷类型", "简要情况", "所属乡镇", "所属村", "经度", "纬度",
          "化解结果", "责任单位"]  # fmt: skip
# 巩昌镇北关村's two grids: [X0, X0+STEP] × [Y0, Y0+2·STEP] (tests/onboarding/conftest.py).
EXACT = (X0 + STEP * 0.3, Y0 + STEP * 0.3)
JOB_TIMEOUT_MS = 90_000  # the worker's start and a check on two busy cores


def ledger(path):
    """A ledger as a township keeps it: one bad row first (a date that does not exist), two rows
    with coordinates and one with only its village's name."""
    return write_xlsx(
        path,
        [
            HEADER,
            ["BAD-1", "2024-13-45", "邻里纠纷", "日期写错的一行", "巩昌镇", "北关村", None, None,
             "调解成功", "巩昌镇司法所"],
            ["GC-1", "2024-03-05", "邻里纠纷", "院墙滴水", "巩昌镇", "北关村", EXACT[0],
             EXACT[1], "调解成功", "巩昌镇司法所"],
            ["GC-2", "2024-03-06", "土地承包纠纷", "地界争议", "巩昌镇", "北关村",
             EXACT[0] + 0.002, EXACT[1] + 0.004, "调解成功", "北关村委会"],
            ["GC-3", "2024-03-07", "婚姻家庭纠纷", "夫妻争吵", "巩昌镇", "东城社区", None,
             None, "调解成功", "东城社区居委会"],
        ],
    )  # fmt: skip


def upload(page, path, *, skip_bad_rows: bool) -> None:
    page.select_option("#id_kind", "ledger")
    page.set_input_files("#id_file", str(path))
    if skip_bad_rows:
        page.check("#id_skip_bad_rows")
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")


def counts(page) -> list[str]:
    """rows, created, updated, unchanged, skipped, errors, warnings as the preview shows them."""
    return page.locator("#upload-counts tbody td").all_inner_texts()


def test_upload_preview_refuse_skip_confirm_and_see_the_matters_on_the_map(
    open_page,
    county,
    make_user,
    start_worker,
    settings,
    tmp_path,
):
    admin = make_user("county-admin", Role.COUNTY_ADMIN, county["621122000000"])
    start_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    path = ledger(tmp_path / "巩昌镇2024年矛盾纠纷台账.xlsx")

    # 1. Upload: the check runs in the background; the page reloads when it is done.
    page = open_page(admin, "/imports/", locale="en-GB")
    upload(page, path, skip_bad_rows=False)
    expect(page.locator("#upload-errors")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert counts(page)[0] == "4"  # rows read
    assert counts(page)[5] == "1"  # one bad row
    first_error = page.locator("#upload-errors tbody tr").first
    expect(first_error.locator("td").first).to_have_text("2")  # the spreadsheet's own row
    expect(first_error.locator("td").nth(1)).to_have_text("登记时间")
    expect(page.locator("#confirm-import")).to_have_count(0)  # refused as a whole
    assert Incident.objects.count() == 0

    # 2. As the page offers: upload it again importing the good rows, then confirm.
    page.goto(page.url.rsplit("/imports/", 1)[0] + "/imports/")
    upload(page, path, skip_bad_rows=True)
    expect(page.locator("#confirm-import")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert counts(page)[1] == "3"  # would be created
    assert counts(page)[4] == "1"  # skipped
    with page.expect_navigation():
        page.click("#confirm-import")
    expect(page.locator("#upload-state")).to_contain_text("Imported", timeout=JOB_TIMEOUT_MS)
    assert counts(page)[1] == "3"
    assert Incident.objects.filter(imported=True).count() == 3
    approximate = Incident.objects.get(location_approximate=True)
    assert approximate.ledger_row.original_number == "GC-3"

    # 3. The operations map, closed matters: the approximate one is marked, in the legend and
    # in its panel; its page says so and names the ledger's responsible unit.
    page.goto(page.url.rsplit("/imports/", 1)[0] + "/map/")
    wait_for_matters(page)
    expect(page.locator("#matters-legend")).to_contain_text("Approximate")
    page.select_option("#filter-state", "closed")
    point = Area.objects.get(pk=approximate.village_id).label_point
    assert (approximate.location.x, approximate.location.y) == pytest.approx((point.x, point.y))
    show_at(page, point.x, point.y, 16)
    click_map_at(page, point.x, point.y)
    panel = page.locator("#area-panel")
    expect(panel.locator("h2")).to_have_text("夫妻争吵")
    expect(panel.locator("#panel-approximate")).to_be_visible()
    with page.expect_navigation():
        panel.get_by_role("link", name="Open the matter").click()
    expect(page.locator("#location-approximate")).to_be_visible()
    expect(page.locator("#responsible-unit")).to_have_text("东城社区居委会")

    # A matter placed by its coordinates has no such note.
    page.go_back()
    wait_for_matters(page)
    page.select_option("#filter-state", "closed")
    show_at(page, *EXACT, 16)
    click_map_at(page, *EXACT)
    expect(panel.locator("h2")).to_have_text("院墙滴水")
    expect(panel.locator("#panel-approximate")).to_have_count(0)
    assert page.errors == []
