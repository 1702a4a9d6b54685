"""Content-Security-Policy in Chromium: every page of the three journeys, login, the admin (with
its OpenLayers map widget) and the API docs load with the policy and break none of it.

The open_page fixture (conftest.watch_csp) records every violation, from securitypolicyviolation
events in every frame and from the console, and every HTML page answered without a policy; it
fails any browser test that saw one. Here each page is also checked to do its work under the
policy: maps draw, Swagger UI starts, the briefing's folium maps run.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.choices import Role
from analytics.periods import parse_period
from analytics.scheduled import generate_briefings
from incidents.services import PartyInput
from tests.browser.conftest import PASSWORD, csp_report, wait_for_matters

pytestmark = pytest.mark.django_db(transaction=True)


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def visit(page, url: str, *, timeout: float = 10_000) -> dict[str, list[str]]:
    """Open ``url``; its policy, after checking it lets no inline or eval'd script run."""
    response = page.goto(url, timeout=timeout)
    assert response.status < 400, url
    page.wait_for_load_state("load")
    policy = directives(response.headers.get("content-security-policy", ""))
    assert policy["default-src"] == ["'self'"], url
    assert "'unsafe-inline'" not in policy["script-src"], url
    assert "'unsafe-eval'" not in policy["script-src"], url
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    return policy


def assert_clean(page) -> None:
    page.wait_for_timeout(300)  # late scripts, images and tiles
    assert csp_report(page.context) == {"violations": [], "unprotected": []}
    assert page.errors == []


def test_public_pages_and_api_docs_run_under_the_policy(open_page, network, live_server):
    page = open_page(None, "/accounts/login/")
    visit(page, f"{live_server.url}/accounts/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    visit(page, f"{live_server.url}/")
    visit(page, f"{live_server.url}/map/")
    expect(page.locator(".leaflet-areas-township-pane path").first).to_be_attached()
    visit(page, f"{live_server.url}/api/docs/")
    # Swagger UI's start-up script is a file of its own (SpectacularSwaggerSplitView): it ran.
    expect(page.locator("#swagger-ui .information-container")).to_be_visible()
    assert_clean(page)


def test_grid_leader_pages_run_under_the_policy(open_page, people, intake, live_server):
    matter = intake()
    page = open_page(people["leader_a1"], "/incidents/new/field/", phone=True)
    for path in ("/incidents/new/field/", f"/incidents/{matter.pk}/", "/incidents/my-grid/"):
        visit(page, f"{live_server.url}{path}")
    expect(page.locator("main")).to_contain_text(matter.title)
    assert_clean(page)


def test_dispatcher_pages_run_under_the_policy(
    open_page, people, intake, walk, place_responder, live_server
):
    matter = walk(intake(), "routed")
    place_responder("调解员王平", 104.606, 35.006)
    page = open_page(people["village"], "/incidents/")
    for path in (
        "/incidents/",
        f"/incidents/{matter.pk}/",
        "/incidents/new/window/",
        "/dispatch/",
        f"/dispatch/incidents/{matter.pk}/",
    ):
        visit(page, f"{live_server.url}{path}")
    expect(page.locator("#candidates")).to_contain_text("调解员王平")
    visit(page, f"{live_server.url}/map/")
    wait_for_matters(page)
    assert_clean(page)


def test_responder_page_runs_under_the_policy(open_page, people, place_responder, live_server):
    place_responder("调解员王平", 104.606, 35.006, members=[people["responder"]])
    page = open_page(people["responder"], "/responder/", phone=True)
    visit(page, f"{live_server.url}/responder/")
    expect(page.locator("main")).to_contain_text("调解员王平")
    assert_clean(page)


def test_leadership_briefing_maps_run_under_the_policy(open_page, people, matters, live_server):
    page = open_page(people["boss"], "/analytics/")
    visit(page, f"{live_server.url}/analytics/")
    policy = visit(
        page,
        f"{live_server.url}/analytics/briefing/?area=621122000000&period=2026-10",
        timeout=60_000,
    )
    # The folium maps' inline scripts run only by the page's nonce, in their srcdoc frames.
    assert any(source.startswith("'nonce-") for source in policy["script-src"])
    maps = page.frame_locator("iframe.map")
    for index in range(3):
        expect(maps.nth(index).locator(".leaflet-container")).to_be_attached()
    assert_clean(page)


def test_stored_briefing_maps_run_under_the_policy(
    open_page,
    people,
    network,
    matters,
    live_server,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = generate_briefings(periods=[parse_period("2026-10")], areas=[network["621122000000"]])
    stored = report.created[0]
    page = open_page(people["boss"], "/analytics/")
    visit(page, f"{live_server.url}/analytics/")
    expect(page.locator(f"a[href='/analytics/briefings/{stored.pk}/']")).to_be_visible()
    policy = visit(page, f"{live_server.url}/analytics/briefings/{stored.pk}/", timeout=30_000)
    # Stored once, served many times: each response fills in its own nonce and Leaflet's URL.
    assert any(source.startswith("'nonce-") for source in policy["script-src"])
    maps = page.frame_locator("iframe.map")
    for index in range(3):
        expect(maps.nth(index).locator(".leaflet-container")).to_be_attached()
    assert_clean(page)


def test_admin_pages_and_the_map_widget_run_under_the_policy(
    open_page, network, people, intake, place_responder, live_server
):
    unit = place_responder("调解员王平", 104.606, 35.006)
    matter = intake()
    admin = get_user_model().objects.create_superuser(
        username="root-admin",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        jurisdiction=network["621122000000"],
    )
    page = open_page(admin, "/admin/")
    visit(page, f"{live_server.url}/admin/")
    village = network["621122100001"]
    visit(page, f"{live_server.url}/admin/gridmap/area/{village.pk}/change/")
    # The OpenLayers widget starts from its JSON options (js/admin-map.js), not inline script.
    expect(page.locator("#id_boundary_map .ol-viewport")).to_be_attached()
    visit(page, f"{live_server.url}/admin/volunteers/responder/{unit.pk}/change/")
    expect(page.locator(".dj_map .ol-viewport").first).to_be_attached()
    visit(page, f"{live_server.url}/admin/incidents/incident/{matter.pk}/change/")
    visit(page, f"{live_server.url}/admin/gridmap/gridworker/add/")
    assert_clean(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_error_pages_run_under_the_policy(open_page, people, live_server, locale):
    page = open_page(people["county"], "/analytics/", locale=locale)
    forbidden = page.goto(f"{live_server.url}/analytics/")
    missing = page.goto(f"{live_server.url}/no-such-page/")

    assert forbidden.status == 403
    assert missing.status == 404
    assert "content-security-policy" in missing.headers
    expect(page.locator(".error-home")).to_be_visible()
    assert_clean(page)


def test_account_security_and_lockout_pages_run_under_the_policy(open_page, people, live_server):
    page = open_page(people["village"], "/accounts/security/")
    visit(page, f"{live_server.url}/accounts/security/")
    expect(page.locator("#tokens-title")).to_be_visible()
    # Five wrong passwords from a second browser: the fifth answers with the lockout page.
    stranger = open_page(None, "/accounts/login/")
    for _ in range(5):
        stranger.fill("input[name=username]", "village")
        stranger.fill("input[name=password]", "wrong-password")
        with stranger.expect_navigation():
            stranger.click("form.stacked-form button[type=submit]")
    expect(stranger.locator("#lockout-title")).to_be_visible()
    expect(stranger.locator(".error-home")).to_be_visible()
    assert_clean(page)
    assert_clean(stranger)


def test_access_log_and_ledger_reason_pages_run_under_the_policy(
    open_page, people, intake, live_server, settings
):
    settings.LEDGER_REASON_THRESHOLD = 0
    intake(reporter=people["village"], source="window", parties=[PartyInput(name="张三")])
    page = open_page(people["admin"], "/accounts/access-log/")
    visit(page, f"{live_server.url}/accounts/access-log/?action=party_view")
    page.goto(f"{live_server.url}/incidents/ledger.csv")  # refused: asks for a reason (400)
    expect(page.locator("#ledger-reason")).to_be_visible()
    assert_clean(page)


def test_notification_pages_run_under_the_policy(open_page, people, live_server):
    page = open_page(people["admin"], "/notifications/")
    for path in ("/notifications/", "/notifications/preferences/", "/notifications/deliveries/"):
        visit(page, f"{live_server.url}{path}")
        expect(page.locator("#nav-bell")).to_be_attached()
    assert_clean(page)
