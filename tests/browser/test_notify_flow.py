"""The issue's end-to-end run of a notification, in Chromium against the site as it is served
(uvicorn, scripts/serve.sh's ASGI server, on the test database):

a dispatcher assigns a matter with the console's own buttons → the offered unit's member, whose
phone page is open in a second browser context, sees the offer arrive over the live stream without
a reload → the center's WeCom group robot (the environment default NOTIFY_WECOM_WEBHOOK, pointed
at the fake receiver) gets one message naming the matter once delivery runs → the member declines
on the page → the dispatcher's console shows the decline live (bell and toast) and the next unit,
whose member has the page open in a third context, gets the offer live.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.choices import Role
from notify.choices import Channel, Event, Status
from notify.models import Notification
from tests.fakes.receiver import WECOM_PATH, FakeReceiver
from tests.notify.conftest import fake_receiver  # noqa: F401  (the fixture, requested by name)
from volunteers.choices import AssignmentState
from volunteers.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_WITHIN_MS = 5_000  # the figure: on the responder's page within 5 s
VILLAGE_CENTER = "621122100001"  # the matter's handling center (grid A1 south)


@pytest.fixture
def robot_url(fake_receiver: FakeReceiver) -> str:  # noqa: F811
    """The fake WeCom group robot's webhook address."""
    return fake_receiver.url(WECOM_PATH)


@pytest.fixture
def asgi_env(robot_url: str) -> dict[str, str]:
    """The served site's environment default for every center's WeCom group robot."""
    return {"NOTIFY_WECOM_WEBHOOK": robot_url}


@pytest.fixture(autouse=True)
def wecom_default(settings, robot_url: str) -> None:
    """The same default in this process, where the matter is routed and delivery runs."""
    settings.NOTIFY_WECOM_WEBHOOK = robot_url
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    settings.NOTIFY_SMS_URL = ""


def sign_in(page, user, base: str, path: str) -> None:
    """Open ``path`` as ``user``: a session made here, handed to the browser (the server's
    process checks passwords with the project's hashers, the test users' are the fast ones)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    page.goto(f"{base}{path}")
    # The live feed runs on the event stream of the ASGI server, not on the polling fallback.
    expect(page.locator("html")).to_have_attribute("data-live-mode", "stream")
    page.evaluate("window.notReloaded = true")


def robot_texts(receiver: FakeReceiver) -> list[str]:
    """Each message the WeCom robot accepted, as its JSON body's text."""
    return [json.dumps(m.body, ensure_ascii=False) for m in receiver.delivered(WECOM_PATH)]


def deliver() -> None:
    """One run of the delivery job, as the worker (or `manage.py deliver_notifications`) does."""
    call_command("deliver_notifications", verbosity=0)


def test_assign_in_the_console_reaches_the_unit_live_and_wecom_once_and_a_decline_goes_on(
    open_page,
    people,
    intake,
    walk,
    place_responder,
    make_user,
    network,
    asgi_server,
    fake_receiver: FakeReceiver,  # noqa: F811
):
    second = make_user("second-responder", Role.RESPONDER, network["621122100000"])
    matter = walk(intake(), "routed")
    near = place_responder("调解员王平", 104.606, 35.005, members=[people["responder"]])
    further = place_responder("调解员李安", 104.609, 35.005, members=[second])
    # Routing announced the matter to the center's group already: sent, then forgotten here.
    deliver()
    assert len(fake_receiver.delivered(WECOM_PATH)) == 1
    fake_receiver.reset()

    member = open_page(None, "/healthz", phone=True)
    sign_in(member, people["responder"], asgi_server, "/responder/")
    next_member = open_page(None, "/healthz", phone=True)
    sign_in(next_member, second, asgi_server, "/responder/")
    console = open_page(None, "/healthz")
    sign_in(console, people["village"], asgi_server, f"/dispatch/incidents/{matter.pk}/")
    bell_before = int(console.get_attribute("#nav-bell", "data-unread-count"))

    # The dispatcher assigns the nearest unit with its own "Assign" button.
    row = console.locator("#candidates tbody tr", has_text=near.name)
    assign_api = reverse("api-incident-assign", args=[matter.pk])
    with console.expect_response(lambda r: r.url.endswith(assign_api)) as answer:
        row.locator("button[type=submit]").click()
    assert answer.value.ok
    assigned_at = time.monotonic()
    expect(console.locator("#dispatch-status")).to_contain_text(near.name)
    offer = Assignment.objects.get(incident=matter, responder=near)

    # The member's open page shows the offer without a reload, within 5 s of the assignment.
    card = member.locator(f"#assignment-{offer.pk}")
    expect(card).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(member.locator(".live-toast", has_text=matter.number)).to_be_visible()
    assert time.monotonic() - assigned_at < LIVE_WITHIN_MS / 1000
    expect(card).to_contain_text(matter.number)
    assert member.evaluate("window.notReloaded") is True
    assert int(member.get_attribute("#nav-bell", "data-unread-count")) >= 1
    # The other unit's member was not offered anything.
    expect(next_member.locator("article.assignment-card")).to_have_count(0)

    # The center's WeCom group gets exactly one message naming the matter, once delivered,
    # and a second run of delivery sends nothing again.
    deliver()
    deliver()
    texts = robot_texts(fake_receiver)
    assert len(texts) == 1, texts
    assert matter.number in texts[0]
    assert near.name in texts[0]
    wecom = Notification.objects.get(event=Event.OFFER, channel=Channel.WECOM)
    assert (wecom.status, wecom.attempts, wecom.center.code) == (Status.SENT, 1, VILLAGE_CENTER)

    # The member declines on the page (a plain form: the page reloads, as a tap would). The offer's
    # toast sits fixed at the bottom of a phone's screen for 30 s, over the card's buttons: the
    # member closes it first, as one would.
    member.locator(".live-toast-close").click()
    expect(member.locator(".live-toast")).to_have_count(0)
    decline = card.locator("details.action-form", has=member.locator("form[action$='/decline/']"))
    decline.locator("summary").click()
    decline.locator("textarea[name=note]").fill("人在县城，赶不过去")
    with member.expect_navigation():
        decline.locator("button[type=submit]").click()
    expect(member.locator(f"#assignment-{offer.pk}")).to_have_count(0)

    # The dispatcher's console shows the decline live: a toast naming the matter, one more unread
    # on the bell for each of the decline and the re-offer, the units table refreshed.
    console_toast = console.locator(".live-toast", has_text=near.name)
    expect(console_toast).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(console_toast).to_contain_text(matter.number)
    expect(console.locator("#nav-bell")).to_have_attribute(
        "data-unread-count", str(bell_before + 2), timeout=LIVE_WITHIN_MS
    )
    expect(console.locator(f'#assignments tr[data-assignment="{offer.pk}"]')).to_have_class(
        re.compile(rf"\bstate-{AssignmentState.DECLINED}\b"), timeout=LIVE_WITHIN_MS
    )
    assert console.evaluate("window.notReloaded") is True
    told = Notification.objects.filter(recipient=people["village"], channel=Channel.SITE)
    assert told.filter(event=Event.OFFER_DECLINED, incident=matter).count() == 1
    assert told.filter(event=Event.REOFFERED, incident=matter).count() == 1

    # The next unit gets the offer: on its member's open page, live, and in the console.
    reoffer = Assignment.objects.get(incident=matter, responder=further)
    assert reoffer.reoffer_of_id == offer.pk
    assert reoffer.state == AssignmentState.OFFERED
    expect(next_member.locator(f"#assignment-{reoffer.pk}")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(next_member.locator(".live-toast", has_text=matter.number)).to_be_visible()
    assert next_member.evaluate("window.notReloaded") is True
    expect(console.locator(f'#assignments tr[data-assignment="{reoffer.pk}"]')).to_contain_text(
        further.name, timeout=LIVE_WITHIN_MS
    )

    # The re-offer reaches the group robot too, once: the next unit named this time.
    deliver()
    texts = robot_texts(fake_receiver)
    assert len(texts) == 2, texts
    assert matter.number in texts[1]
    assert further.name in texts[1]
    assert fake_receiver.duplicates() == 0
    for page in (member, next_member, console):
        assert page.errors == []
