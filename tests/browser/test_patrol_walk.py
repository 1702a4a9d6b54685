"""A patrol walked on a phone (Chromium, geolocation overridden along a path): the track is stored
point by point in batches, and the grid's page shows the share of the grid within 50 m of it,
equal to the hand-computed value (tests/patrols/conftest.py: a straight walk in a square grid)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pyproj import Geod

from accounts.choices import AccessAction
from accounts.models import AccessLog
from patrols.models import Patrol, TrackBatch, TrackPoint
from patrols.services import end_patrol, start_patrol
from tests.browser.test_field_app import ready
from tests.patrols.conftest import WALK_LAT, WALK_LONS, hand_share

pytestmark = pytest.mark.django_db(transaction=True)

GRID = "621122100001001"


def _at(lon: float) -> dict[str, float]:
    return {"latitude": WALK_LAT, "longitude": lon, "accuracy": 5}


def test_a_simulated_walk_stores_the_track_and_the_grid_page_shows_its_coverage(open_page, people):
    page = open_page(
        people["leader_a1"],
        "/patrols/",
        phone=True,
        permissions=["geolocation"],
        geolocation=_at(WALK_LONS[0]),
    )
    # The signal drops as the first batch goes out: the request fails; the batch waits and goes
    # out again with the next send (its uid makes a repeat harmless).
    dropped = []

    def drop_first(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/patrols/*/points", drop_first)
    page.click("#patrol-start")
    status = page.locator("#patrol-status")
    expect(status).to_have_attribute("data-points", "1")
    for count, lon in enumerate(WALK_LONS[1:], start=2):
        page.context.set_geolocation(_at(lon))
        # Each step is ~45 m: every fix is kept (the phone keeps one per 20 m or 30 s).
        expect(status).to_have_attribute("data-points", str(count))
    # The dropped batch of 10 and the 3 points since are waiting on the phone.
    expect(status).to_have_attribute("data-waiting", "13")
    assert len(dropped) == 1
    page.click("#patrol-end")
    expect(page.locator("#patrol")).to_have_attribute("data-state", "ended")
    patrol = Patrol.objects.get(leader=people["leader_a1"])
    expect(status).to_contain_text(str(round(patrol.distance_m)))  # the server's answer
    assert patrol.ended_at is not None
    assert patrol.point_count == len(WALK_LONS)
    assert [round(x, 4) for x, _y in patrol.track.coords] == WALK_LONS
    assert TrackBatch.objects.filter(patrol=patrol).count() == 2  # 10 points, then the rest
    assert patrol.covered_share == pytest.approx(hand_share(), abs=2e-5)
    assert page.errors == []

    # The village center sees the track and the month's share; its view is in the access log.
    center = open_page(people["village"], f"/patrols/grid/{GRID}/")
    expect(center.locator("#patrol-map")).to_have_attribute("data-tracks", "1")
    share = float(center.locator(".coverage-share").get_attribute("data-share"))
    assert share == pytest.approx(hand_share(), abs=2e-5)
    logged = AccessLog.objects.get(action=AccessAction.TRACK_VIEW)
    assert (logged.username, logged.count) == ("village", 1)
    assert center.errors == []


# --- offline (issue 16 item 5: "queued offline"): the same IndexedDB queue as field reports ----

WALK = "/patrols/"
QUEUE = "#offline-queue"


def hand_distance_m(lons: list[float] = WALK_LONS, lat: float = WALK_LAT) -> float:
    """The walk's length on the WGS84 ellipsoid, segment by segment (the server measures the
    track as geography, on the same ellipsoid)."""
    geod = Geod(ellps="WGS84")
    return sum(geod.inv(a, lat, b, lat)[2] for a, b in itertools.pairwise(lons))


def walk_to(page, lons: list[float], first_count: int) -> None:
    """Move the phone along ``lons``; each fix is kept (about 45 m apart)."""
    status = page.locator("#patrol-status")
    for count, lon in enumerate(lons, start=first_count):
        page.context.set_geolocation(_at(lon))
        expect(status).to_have_attribute("data-points", str(count))


def leader_phone(open_page, people, lon: float):
    page = open_page(
        people["leader_a1"], WALK, phone=True, locale="en-GB",
        permissions=["geolocation"], geolocation=_at(lon),
    )  # fmt: skip
    return ready(page)


def test_a_walk_that_loses_the_network_and_the_page_is_stored_once_when_the_network_returns(
    open_page, people
):
    page = leader_phone(open_page, people, WALK_LONS[0])
    context = page.context
    status = page.locator("#patrol-status")
    page.click("#patrol-start")
    expect(status).to_have_attribute("data-points", "1")
    walk_to(page, WALK_LONS[1:5], 2)
    expect(page.locator(f"{QUEUE} .queue-item")).to_have_attribute("data-status", "sent")
    patrol = Patrol.objects.get(leader=people["leader_a1"])  # the start went out at once

    context.set_offline(True)
    # Fixes 6-11: the tenth closes a batch, which waits on the phone with the eleventh.
    walk_to(page, WALK_LONS[5:11], 6)
    expect(status).to_have_attribute("data-waiting", "11")
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (1)")
    page.close()

    # Opened again without a network: the copy of the page saved on the phone, which still
    # thinks no patrol is open; the phone's own record carries on (the fix where the phone
    # stands now was kept already, so it is not kept twice).
    again = context.new_page()
    again.errors = []
    again.on("pageerror", lambda error: again.errors.append(str(error)))
    again.goto(page.url)
    status = again.locator("#patrol-status")
    expect(again.locator("#patrol")).to_have_attribute("data-state", "open")
    expect(status).to_have_attribute("data-points", "11")
    walk_to(again, WALK_LONS[11:], 12)
    again.click("#patrol-end")
    expect(again.locator("#patrol")).to_have_attribute("data-state", "ending")
    # Three batches (10, the 1 left when the page closed, the last 2) and the end.
    expect(again.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (4)")
    expect(status).to_have_attribute("data-waiting", "13")
    patrol.refresh_from_db()
    assert (patrol.point_count, patrol.ended_at) == (0, None)  # nothing sent since the start
    back_online = timezone.now()

    context.set_offline(False)
    expect(again.locator("#patrol")).to_have_attribute("data-state", "ended", timeout=40_000)
    expect(again.locator(f"{QUEUE} .queue-count")).to_have_text("Everything has been sent.")
    patrol.refresh_from_db()
    # The whole track, each point once, with the phone's times (all before it could send).
    assert patrol.point_count == len(WALK_LONS)
    assert [round(x, 4) for x, _y in patrol.track.coords] == WALK_LONS
    times = list(
        TrackPoint.objects.filter(patrol=patrol).order_by("at").values_list("at", flat=True)
    )
    assert len(times) == len(WALK_LONS)
    assert times[-1] < back_online
    assert patrol.ended_at < back_online  # the tap on "End", not the arrival
    assert TrackBatch.objects.filter(patrol=patrol).count() == 3
    assert patrol.distance_m == pytest.approx(hand_distance_m(), abs=0.5)
    assert patrol.covered_share == pytest.approx(hand_share(), abs=2e-5)
    expect(status).to_contain_text(f"{round(patrol.distance_m)} m")
    # Opening the page again sends nothing twice.
    again.reload()
    expect(again.locator("#patrol")).to_have_attribute("data-state", "ended")
    assert TrackPoint.objects.filter(patrol=patrol).count() == len(WALK_LONS)
    assert again.errors == []


def test_a_patrol_started_and_ended_without_a_network_arrives_with_the_phones_times(
    open_page, people
):
    page = leader_phone(open_page, people, WALK_LONS[0])
    page.context.set_offline(True)
    tapped = timezone.now()
    page.click("#patrol-start")
    expect(page.locator("#patrol-status")).to_have_attribute("data-points", "1")
    walk_to(page, WALK_LONS[1:3], 2)
    page.click("#patrol-end")
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Waiting to send (3)")
    assert not Patrol.objects.exists()
    back_online = timezone.now()

    page.context.set_offline(False)
    expect(page.locator("#patrol")).to_have_attribute("data-state", "ended", timeout=40_000)
    patrol = Patrol.objects.get(leader=people["leader_a1"])
    assert tapped - dt.timedelta(seconds=2) <= patrol.started_at < patrol.ended_at < back_online
    assert [round(x, 4) for x, _y in patrol.track.coords] == WALK_LONS[:3]
    assert page.errors == []


def test_points_an_older_page_left_in_local_storage_move_to_the_queue_and_arrive_once(
    open_page, people, live_server
):
    # A patrol open on the server, with a batch an older version of the page could not send.
    started = timezone.now() - dt.timedelta(minutes=10)
    patrol, _created = start_patrol(leader=people["leader_a1"], started_at=started.isoformat())
    points = [
        {"lon": lon, "lat": WALK_LAT, "accuracy": 5,
         "at": (started + dt.timedelta(seconds=40 * i)).isoformat()}
        for i, lon in enumerate(WALK_LONS[:3])
    ]  # fmt: skip
    left = [{"url": f"/api/patrols/{patrol.pk}/points", "uid": str(uuid.uuid4()), "points": points}]
    page = leader_phone(open_page, people, WALK_LONS[3])
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [f"pingan-patrol-{patrol.pk}", json.dumps(left)],
    )
    page.reload()
    status = page.locator("#patrol-status")
    expect(page.locator("#patrol")).to_have_attribute("data-state", "open")
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Everything has been sent.")
    left_keys = "Object.keys(localStorage).filter((key) => key.startsWith('pingan-patrol-'))"
    assert page.evaluate(left_keys) == []
    # The server's open patrol is carried on with the phone's own fix (kept once).
    expect(status).to_have_attribute("data-points", "1")
    page.click("#patrol-end")
    expect(page.locator("#patrol")).to_have_attribute("data-state", "ended")
    patrol.refresh_from_db()
    assert [round(x, 4) for x, _y in patrol.track.coords] == WALK_LONS[:4]
    assert TrackBatch.objects.filter(patrol=patrol).count() == 2
    page.reload()
    assert TrackPoint.objects.filter(patrol=patrol).count() == 4
    assert page.errors == []


def test_a_patrol_ended_elsewhere_is_not_recorded_on_when_the_page_opens_again(open_page, people):
    page = leader_phone(open_page, people, WALK_LONS[0])
    page.click("#patrol-start")
    expect(page.locator("#patrol-status")).to_have_attribute("data-points", "1")
    expect(page.locator(f"{QUEUE} .queue-item")).to_have_attribute("data-status", "sent")
    patrol = Patrol.objects.get(leader=people["leader_a1"])
    end_patrol(patrol_id=patrol.pk, leader=people["leader_a1"])  # e.g. from another phone
    page.reload()  # a fresh page says no patrol is open: the phone's record of it is dropped
    expect(page.locator("#patrol")).to_have_attribute("data-state", "idle")
    expect(page.locator("#patrol-start")).to_be_visible()
    # The point kept before is not lost: it was recorded during the patrol.
    expect(page.locator(f"{QUEUE} .queue-count")).to_have_text("Everything has been sent.")
    patrol.refresh_from_db()
    assert patrol.point_count == 1
    assert page.errors == []
