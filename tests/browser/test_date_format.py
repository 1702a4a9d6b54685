"""Issue 20 point 12: one date format, YYYY-MM-DD, on every screen: pages that print a date
without naming a format (the admin's lists) follow it too, in Chinese and in English."""

from __future__ import annotations

import re

import pytest

from gridmap.models import AreaImport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_admin_lists_show_dates_as_year_month_day(open_page, people, locale):
    AreaImport.objects.create(source="乡镇界.shp", source_crs="EPSG:4326", report={})
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()

    page = open_page(admin, "/admin/gridmap/areaimport/", locale=locale)

    started = page.locator("td.field-started_at, th.field-started_at").first.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", started.strip()), started
    assert "年" not in page.locator("#content").inner_text()
