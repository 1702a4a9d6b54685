"""My grid without a signal (issue 16 item 3, docs/field-app.md): the grid's boundary, its open
matters and the time of the last sync, from the copy saved on the phone, in Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_field_app import MY_GRID, ready

pytestmark = pytest.mark.django_db(transaction=True)


def test_my_grid_reloaded_offline_shows_the_boundary_the_open_matters_and_the_last_sync(
    open_page, people, intake
):
    matter = intake(title="Blocked drainage ditch by the school")
    page = ready(open_page(people["leader_a1"], MY_GRID, phone=True, locale="en-GB"))
    synced = page.locator(".sync-line").get_attribute("data-synced-at")
    # One date format on every screen (issue 20 point 12), not the browser's "12/06, 04:32".
    expect(page.locator(".sync-line")).to_have_text(
        re.compile(r"^Last synced \d{4}-\d{2}-\d{2} \d{2}:\d{2}")
    )
    # A matter taken in after the sync is not on the phone's copy: it is the last synced list.
    intake(title="Reported after the sync")

    page.context.set_offline(True)
    page.reload()
    line = page.locator(".sync-line")
    expect(line).to_contain_text("No network")
    expect(line).to_contain_text("Last synced")
    # The copy the worker saved while the page was open online (the page's own or its warm-up).
    copy = dt.datetime.fromisoformat(line.get_attribute("data-synced-at"))
    assert abs(dt.datetime.fromisoformat(synced) - copy) < dt.timedelta(minutes=1)
    expect(page.locator("#incident-map path")).not_to_have_count(0)  # the grid's boundary
    open_list = page.locator("[data-live-region='my-grid-open']")
    expect(open_list).to_contain_text("Open matters (1)")
    expect(open_list.locator(".matter-card")).to_contain_text(matter.title)
    expect(open_list).not_to_contain_text("Reported after the sync")
    assert page.errors == []
