""" "导航" on a phone (Chromium): the matter's page lists the three map apps with the point in
each app's datum; on Android the app's own scheme is tried first and, with no app to answer,
the app's web page opens (served here by a route handler that records the address)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from gridmap.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db(transaction=True)

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)


def test_on_android_navigate_tries_the_app_then_opens_amaps_page_at_the_gcj02_point(
    open_page, people, intake
):
    matter = intake()
    page = open_page(people["village"], f"/incidents/{matter.pk}/", phone=True, user_agent=ANDROID)
    opened = []

    def amap(route):
        opened.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/html",
            headers={"content-security-policy": "default-src 'none'"},
            body="<p>amap</p>",
        )

    page.route("https://uri.amap.com/**", amap)
    control = page.locator("details.navigate")
    control.locator("summary").click()
    apps = control.locator("a.navigate-app")
    expect(apps).to_have_count(4)
    assert apps.evaluate_all("(links) => links.map((a) => a.dataset.app)") == [
        "amap", "baidu", "tencent", "geo",
    ]  # fmt: skip
    apps.first.click()
    page.wait_for_url("https://uri.amap.com/**", timeout=5_000)
    gcj = wgs84_to_gcj02(matter.location.x, matter.location.y)
    query = parse_qs(urlsplit(opened[0]).query)
    assert query["position"] == [f"{gcj.lon:.6f},{gcj.lat:.6f}"]
    assert query["coordinate"] == ["gaode"]
