"""A patrol walked on a phone (Chromium, geolocation overridden along a path): the track is stored
point by point in batches, and the grid's page shows the share of the grid within 50 m of it,
equal to the hand-computed value (tests/patrols/conftest.py: a straight walk in a square grid)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.choices import AccessAction
from accounts.models import AccessLog
from patrols.models import Patrol, TrackBatch
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
