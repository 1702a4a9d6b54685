"""The field app without a signal, in Chromium (docs/field-app.md): reports and responders'
steps queued offline and sent exactly once when the network returns, pages opened again from
the phone's saved copy, the service worker's scope and the manifest's installability."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, IncidentEvent
from tests.browser.conftest import ROOT
from tests.browser.test_journeys import GPS, fill_hazard
from tests.factories import image_bytes
from volunteers.models import Assignment
from volunteers.services import act_on_assignment, assign

pytestmark = pytest.mark.django_db(transaction=True)

FIELD = "/incidents/new/field/"
MY_GRID = "/incidents/my-grid/"
QUEUE = "#offline-queue"


def ready(page):
    """Wait until the service worker has saved the role's pages and controls the page.

    A page that loaded while the worker was still installing is not controlled (browsers hand
    a page to a worker when it loads); as on a phone, the next load is.
    """
    # Saving them renders two pages on a live server shared with other tests: allow some time.
    page.wait_for_selector("html[data-offline-ready='1']", state="attached", timeout=30_000)
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    page.wait_for_selector("html[data-sw=ready]", state="attached", timeout=30_000)
    return page


def field_form(open_page, people):
    page = open_page(
        people["leader_a1"], FIELD, phone=True, locale="en-GB",
        permissions=["geolocation"], geolocation=GPS,
    )  # fmt: skip
    return ready(page)


def fill_report(page, title: str) -> str:
    """A hazard with a GPS point and a camera-sized photo; returns the GPS fix's time."""
    fill_hazard(page, title)
    page.click("#use-location")
    expect(page.locator("#gps-status")).to_contain_text("8 m")
    camera = image_bytes(size=(3000, 2000))
    photo = {"name": "hazard.jpg", "mimeType": "image/jpeg", "buffer": camera}
    page.set_input_files("#id_photos", files=[photo])
    return page.input_value("#id_located_at")


def submit(page) -> None:
    page.click("#intake-form button[type=submit]")


def test_a_report_made_offline_waits_then_is_sent_once_with_its_photo_and_gps_time(
    open_page, people
):
    page = field_form(open_page, people)
    located = fill_report(page, "Rock fall in the gully")
    page.context.set_offline(True)
    submit(page)
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    expect(page.locator(f"{QUEUE} .queue-item")).to_contain_text("waiting to send")
    assert page.input_value("#id_title") == ""  # a fresh form for the next report
    assert Incident.objects.count() == 0

    page.context.set_offline(False)
    item = page.locator(f"{QUEUE} .queue-item")
    expect(item).to_have_attribute("data-status", "sent", timeout=40_000)
    expect(item).to_contain_text("sent")
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Everything has been sent.")
    matter = Incident.objects.get()
    assert matter.title == "Rock fall in the gully"
    assert matter.photos.count() == 1
    # Resized on the phone to the server's longest edge (1600 px) before it was queued.
    assert max(matter.photos.get().width, matter.photos.get().height) == 1600
    assert matter.located_at == dt.datetime.fromisoformat(located.replace("Z", "+00:00"))
    assert matter.reported_at <= matter.received_at
    assert matter.location_accuracy_m == 8
    assert item.locator("a").get_attribute("href").endswith(f"/incidents/{matter.pk}/")
    assert page.errors == []


def test_a_network_drop_after_the_server_took_the_report_still_makes_one_matter(open_page, people):
    page = field_form(open_page, people)
    fill_report(page, "Cracked retaining wall")
    dropped = []

    def drop_the_first_answer(route):
        if not dropped:
            dropped.append(route.request.url)
            route.fetch()  # the upload reaches the server, which takes the report in …
            route.abort("connectionreset")  # … and the answer never reaches the phone
        else:
            route.continue_()

    page.context.route("**/api/incidents/", drop_the_first_answer)
    submit(page)
    item = page.locator(f"{QUEUE} .queue-item")
    expect(item).to_have_attribute("data-error", "network")
    expect(item).to_have_attribute("data-status", "waiting")
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    assert Incident.objects.count() == 1
    page.reload()  # the next page open sends what waits, with the same uid
    expect(page.locator(f"{QUEUE} .queue-item")).to_have_attribute("data-status", "sent")
    assert len(dropped) == 1
    assert Incident.objects.count() == 1
    assert Incident.objects.get().photos.count() == 1


def test_a_queued_report_is_still_there_when_the_page_is_opened_again_offline(open_page, people):
    page = field_form(open_page, people)
    fill_report(page, "Fallen power line")
    context = page.context
    context.set_offline(True)
    submit(page)
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    page.close()

    again = context.new_page()
    again.goto(f"{page.url}")  # no network: the copy of the form saved on the phone
    expect(again.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    expect(again.locator(f"{QUEUE} .queue-item")).to_contain_text("Fallen power line")
    again.goto(page.url.replace(FIELD, MY_GRID))
    expect(again.locator(".sync-line")).to_contain_text("No network")
    expect(again.locator(".sync-line")).to_contain_text("Last synced")
    expect(again.locator("#incident-map path")).not_to_have_count(0)  # the grid's boundary
    assert Incident.objects.count() == 0

    context.set_offline(False)
    expect(again.locator("[data-queue-panel] .queue-item")).to_have_attribute(
        "data-status", "sent", timeout=40_000
    )
    assert Incident.objects.filter(title="Fallen power line").count() == 1


def test_a_refused_report_shows_the_reason_and_can_be_edited_and_sent_again(open_page, people):
    page = field_form(open_page, people)
    fill_report(page, "Blocked drain")
    page.context.set_offline(True)
    submit(page)
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    # Meanwhile the category was retired at the center: the server refuses the report.
    from incidents.models import Category

    Category.objects.filter(code="fire").update(active=False)
    page.context.set_offline(False)
    item = page.locator(f"{QUEUE} .queue-item")
    expect(item).to_have_attribute("data-status", "refused", timeout=40_000)
    expect(item).to_contain_text("Unknown category")
    Category.objects.filter(code="fire").update(active=True)
    item.get_by_role("button", name="Edit").click()
    assert page.input_value("#id_title") == "Blocked drain"
    assert page.evaluate("document.getElementById('id_photos').files.length") == 1
    with page.expect_navigation():
        submit(page)
    matter = Incident.objects.get()
    assert page.url.endswith(f"/incidents/{matter.pk}/")
    assert matter.photos.count() == 1


def test_a_responders_steps_taken_offline_keep_their_time_and_arrive_once(
    open_page, people, intake, walk, place_responder
):
    matter = walk(intake(), "routed")
    unit = place_responder("调解员王平", 104.606, 35.006, members=[people["responder"]])
    offer = assign(incident_id=matter.pk, actor=people["village"], responder_id=unit.pk)
    act_on_assignment(assignment_id=offer.assignment.pk, action="accept", actor=people["responder"])
    page = ready(open_page(people["responder"], "/responder/", phone=True, locale="en-GB"))
    card = page.locator(f"#assignment-{offer.assignment.pk}")
    page.context.set_offline(True)
    card.get_by_role("button", name="On my way").click()
    card.get_by_role("button", name="Yes, send it").click()  # each step asks once (issue 20)
    expect(card.locator(".queued-step")).to_contain_text("On my way")
    pressed = dt.datetime.now(dt.UTC)
    card.get_by_role("button", name="Arrived").click()
    card.get_by_role("button", name="Yes, send it").click()
    expect(card.locator(".queued-step")).to_contain_text("Arrived")
    expect(page.locator("#step-queue .queue-count")).to_have_text("Waiting to send (2)")
    page.wait_for_timeout(1500)  # the steps reach the server visibly later than they happened

    page.context.set_offline(False)
    expect(page.locator("#step-queue .queue-count")).to_have_text(
        "Everything has been sent.", timeout=40_000
    )
    assignment = Assignment.objects.get(pk=offer.assignment.pk)
    assert assignment.state == "on_scene"
    events = IncidentEvent.objects.filter(incident=matter, action__in=["en_route", "arrive"])
    assert [e.action for e in events] == ["en_route", "arrive"]
    for event in events:
        assert event.received_at - event.at >= dt.timedelta(seconds=1)
    assert abs(assignment.on_scene_at - pressed) < dt.timedelta(seconds=3)
    assert assignment.en_route_at <= assignment.on_scene_at


def test_the_worker_controls_every_page_from_the_root_and_the_start_url_opens_offline(
    open_page, people, live_server
):
    page = ready(open_page(people["leader_a1"], MY_GRID, phone=True))
    worker = page.evaluate(
        """async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return {scope: registration.scope, script: registration.active.scriptURL,
                  controlled: Boolean(navigator.serviceWorker.controller)};
        }"""
    )
    assert worker == {
        "scope": f"{live_server.url}/",
        "script": f"{live_server.url}/sw.js",
        "controlled": True,
    }
    manifest = page.evaluate(
        "async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json()"
    )
    # Installability as Lighthouse checked it: the start URL is in scope and opens offline.
    assert manifest["start_url"].startswith(manifest["scope"])
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{manifest['start_url']}")
    assert page.url == f"{live_server.url}{MY_GRID}"
    expect(page.locator(".sync-line")).to_contain_text("无网络")


def test_signing_out_forgets_the_saved_pages(open_page, people, live_server):
    page = ready(open_page(people["leader_a1"], MY_GRID, phone=True))
    saved = "(await (await caches.open('pingan-pages')).keys()).length"
    assert page.evaluate(f"async () => {saved}") == 3  # my grid, the report form, the patrol
    page.click("label.nav-toggle-label")  # the phone's menu
    with page.expect_navigation():
        page.click("form[action$='/logout/'] button")
    page.wait_for_function(f"async () => {saved} === 0", polling=200)


def test_a_new_release_offers_a_reload_and_takes_over_when_asked(
    open_page, people, settings, tmp_path
):
    page = ready(open_page(people["leader_a1"], MY_GRID, phone=True, locale="en-GB"))
    first = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    # A deployment that changes the worker's code (static files are found by the finders here).
    worker = ROOT / "static" / "js" / "service-worker.js"
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "service-worker.js").write_text(
        worker.read_text() + "\n// the next release\n"
    )
    settings.STATICFILES_DIRS = [tmp_path, ROOT / "static"]

    page.reload()  # the browser checks /sw.js on each page load: the new worker installs
    banner = page.locator("#app-update")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("A new version of Pingan Grid is available.")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first
    with page.expect_navigation(timeout=30_000):
        banner.get_by_role("button", name="Reload").click()
    page.wait_for_function(
        "async () => { const r = await navigator.serviceWorker.getRegistration();"
        " return !r.waiting && r.active === navigator.serviceWorker.controller; }"
    )
    expect(banner).to_be_hidden()
