"""Live notifications in Chromium (static/js/live.js): a site notification committed by the test
reaches an open page within 5 s without a reload, over the event stream of the ASGI server
(uvicorn, started here on the test database) and over the polling fallback of the WSGI live
server. Every page also runs under the CSP without a violation (open_page checks that)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import expect

from notify.choices import Channel, Event
from notify.models import Notification
from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LIVE_WITHIN_MS = 5_000  # the figure: on the responder's page within 5 s


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """The test database, as DATABASE_URL for the server process."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgis://{db['USER']}{password}@{host}{port}/{db['NAME']}"


@pytest.fixture
def asgi_server(transactional_db):
    """uvicorn serving config.asgi on the test database, as scripts/serve.sh does (one worker)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.browser.asgi_settings",
        "LIVE_HEARTBEAT_SECONDS": "2",
    }
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-proxy-headers", "--log-level", "warning"]
    # An open stream would hold a graceful shutdown until the browser goes (serve.sh: 10 s).
    command += ["--timeout-graceful-shutdown", "2"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("uvicorn exited at start-up")
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not answer /healthz within 20 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)


def _sign_in(context, user, url: str) -> None:
    """A session for ``user`` made here and handed to the browser (the server shares the DB)."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": url}])


def _offer(people, walk, intake, place_responder):
    """A routed matter and a unit the responder acts for; the matter is not offered yet."""
    matter = walk(intake(), "routed")
    unit = place_responder("调解员王平", 104.606, 35.006, members=[people["responder"]])
    return matter, unit


def _notify(user, assignment_id: int, title: str) -> Notification:
    """The site notification of an offer, as the outbox writes it (committed: autocommit)."""
    return Notification.objects.create(
        event=Event.OFFER,
        event_key=f"test-offer:{assignment_id}",
        recipient=user,
        channel=Channel.SITE,
        title=title,
        text="请尽快接收",
        link="/responder/",
    )


def test_a_new_offer_appears_on_the_responders_page_over_the_stream(
    open_page, people, intake, walk, place_responder, asgi_server
):
    matter, unit = _offer(people, walk, intake, place_responder)
    page = open_page(None, "/accounts/login/", phone=True)
    _sign_in(page.context, people["responder"], asgi_server)
    page.goto(f"{asgi_server}/responder/")
    expect(page.locator("html")).to_have_attribute("data-live-mode", "stream")
    page.evaluate("window.notReloaded = true")

    offer = assign(incident_id=matter.pk, actor=people["village"], responder_id=unit.pk)
    _notify(people["responder"], offer.assignment.pk, f"测试派遣 {matter.number}")

    toast = page.locator(".live-toast", has_text=f"测试派遣 {matter.number}")
    expect(toast).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator(f"#assignment-{offer.assignment.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(page.locator("#live-title")).to_contain_text("(1)")
    assert page.evaluate("window.notReloaded") is True
    assert int(page.get_attribute("#nav-bell", "data-unread-count")) >= 1
    assert int(page.get_attribute("html", "data-live-alerted")) >= 1  # beep/vibrate was tried
    assert page.errors == []


def test_without_a_stream_the_page_polls_and_still_shows_the_offer_in_time(
    open_page, people, intake, walk, place_responder
):
    """The WSGI live server answers the stream with 204: live.js polls instead."""
    matter, unit = _offer(people, walk, intake, place_responder)
    page = open_page(people["responder"], "/responder/", phone=True)
    expect(page.locator("html")).to_have_attribute("data-live-mode", "poll")
    page.evaluate("window.notReloaded = true")

    offer = assign(incident_id=matter.pk, actor=people["village"], responder_id=unit.pk)
    _notify(people["responder"], offer.assignment.pk, f"测试派遣 {matter.number}")

    expect(page.locator(".live-toast", has_text=f"测试派遣 {matter.number}")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    expect(page.locator(f"#assignment-{offer.assignment.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []


def test_the_dispatch_console_shows_a_decline_and_nobody_elses_notifications(
    open_page, people, intake, walk, place_responder
):
    matter, _unit = _offer(people, walk, intake, place_responder)
    page = open_page(people["village"], f"/dispatch/incidents/{matter.pk}/")
    expect(page.locator("html")).to_have_attribute("data-live-mode", "poll")
    # The workflow's own notifications (the matter was routed to this center) are already counted.
    unread_before = int(page.get_attribute("#nav-bell", "data-unread"))
    Notification.objects.create(
        event=Event.OFFER_DECLINED,
        event_key="test-declined:1",
        recipient=people["county"],  # another dispatcher's: never on this page
        channel=Channel.SITE,
        title="别人的通知",
        text="—",
    )
    Notification.objects.create(
        event=Event.OFFER_DECLINED,
        event_key="test-declined:1",
        recipient=people["village"],
        channel=Channel.SITE,
        title=f"{matter.number} 被拒绝",
        text="调解员王平：不在附近",
        link=f"/dispatch/incidents/{matter.pk}/",
        urgent=True,
    )
    toast = page.locator(".live-toast", has_text=f"{matter.number} 被拒绝")
    expect(toast).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(toast.get_by_role("link")).to_have_attribute("href", f"/dispatch/incidents/{matter.pk}/")
    expect(page.locator("#nav-bell")).to_have_attribute("data-unread-count", str(unread_before + 1))
    assert page.locator(".live-toast", has_text="别人的通知").count() == 0
    assert page.errors == []
