"""The patrol API over HTTP and the pages: who sees tracks, the access log, JSON errors."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from accounts.choices import AccessAction
from accounts.models import AccessLog
from patrols.models import Patrol, TrackPoint
from tests.patrols.conftest import WALK_LAT, WALK_LONS

pytestmark = pytest.mark.django_db

GRID = "621122100001001"


def _batch(start: dt.datetime) -> dict:
    return {
        "uid": str(uuid.uuid4()),
        "points": [
            {"lon": lon, "lat": WALK_LAT, "at": (start + dt.timedelta(seconds=40 * i)).isoformat(),
             "accuracy": 4}
            for i, lon in enumerate(WALK_LONS)
        ],
    }  # fmt: skip


def _walk(client) -> dict:
    start = timezone.now() - dt.timedelta(minutes=20)
    started = client.post(
        "/api/patrols", {"uid": str(uuid.uuid4()), "started_at": start.isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert started.status_code == 201
    body = started.json()
    batch = _batch(start)
    for _ in range(2):  # the phone resends: stored once
        sent = client.post(body["points_url"], batch, content_type="application/json")
        assert sent.status_code == 200
    assert sent.json()["duplicate"] is True
    ended = client.post(body["end_url"], {}, content_type="application/json")
    assert ended.status_code == 200
    return ended.json()


def test_a_walk_over_the_api_is_stored_once_and_returns_its_figures(as_user):
    ended = _walk(as_user("leader_a1"))
    assert ended["point_count"] == 13
    assert ended["ended_at"] is not None
    assert 0.05 < ended["covered_share"] < 0.07
    assert TrackPoint.objects.count() == 13


def test_api_errors_are_json_with_a_detail(as_user):
    leader = as_user("leader_a1")
    started = leader.post("/api/patrols", {}, content_type="application/json").json()
    bad = leader.post(
        started["points_url"], {"uid": "x", "points": []}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "detail" in bad.json()
    second = leader.post("/api/patrols", {}, content_type="application/json")
    assert second.status_code == 409
    assert "end it first" in second.json()["detail"]
    other = as_user("leader_b1").post(started["end_url"], {}, content_type="application/json")
    assert other.status_code == 404


def test_the_center_chain_sees_the_track_and_each_view_is_logged(as_user, people):
    ended = _walk(as_user("leader_a1"))
    for name in ("village", "township", "county"):
        answer = as_user(name).get(f"/api/patrols/{ended['id']}")
        assert answer.status_code == 200
        assert len(answer.json()["geometry"]["coordinates"]) == 13
    logged = AccessLog.objects.filter(action=AccessAction.TRACK_VIEW)
    assert sorted(logged.values_list("username", flat=True)) == ["county", "township", "village"]
    # The leader's own look is not a row of the log.
    assert as_user("leader_a1").get(f"/api/patrols/{ended['id']}").status_code == 200
    assert logged.count() == 3


def test_no_one_outside_the_chain_sees_a_track(as_user):
    ended = _walk(as_user("leader_a1"))
    for name in ("leader_b1", "boss", "responder"):
        assert as_user(name).get(f"/api/patrols/{ended['id']}").status_code == 404
    assert as_user("boss").get(f"/patrols/grid/{GRID}/").status_code == 403
    assert as_user("leader_b1").get(f"/patrols/grid/{GRID}/").status_code == 404


def test_the_grid_page_shows_the_month_and_the_reports_made_on_the_patrol(as_user, people, intake):
    leader = as_user("leader_a1")
    started = leader.post("/api/patrols", {}, content_type="application/json").json()
    matter = intake()
    leader.post(started["points_url"], _batch(timezone.now()), content_type="application/json")
    leader.post(started["end_url"], {}, content_type="application/json")
    page = as_user("village").get(f"/patrols/grid/{GRID}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert matter.number in html
    assert Patrol.objects.get().reports.get().incident == matter


def test_the_coverage_table_lists_leaders_for_leadership_without_positions(as_user, people):
    _walk(as_user("leader_a1"))
    page = as_user("boss").get("/patrols/coverage/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "leader_a1" in html
    assert "leader_b1" in html
    assert "/patrols/grid/" not in html  # leadership gets figures, not tracks
    assert str(WALK_LONS[3]) not in html
    assert not AccessLog.objects.filter(action=AccessAction.TRACK_VIEW).exists()


def test_the_coverage_table_downloads_as_csv_for_the_assessment(as_user, people):
    _walk(as_user("leader_a1"))
    month = timezone.localdate().strftime("%Y-%m")
    answer = as_user("township").get("/patrols/coverage.csv", {"month": month})
    assert answer.status_code == 200
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("月份,乡镇,村(社区),网格编码")
    mine = next(line for line in lines if "leader_a1" in line).split(",")
    assert mine[3] == GRID
    assert mine[6] == "1"
    assert 0.05 < float(mine[9]) < 0.07
    assert not any("leader_b1" in line for line in lines)  # township B is not the township's


def test_the_leaders_page_lists_their_recent_patrols_with_the_share(as_user):
    leader = as_user("leader_a1")
    ended = _walk(leader)
    html = leader.get("/patrols/").content.decode()
    assert f"covered share {100 * ended['covered_share']:.1f}%" in html
    assert 'data-state="idle"' in html  # nothing open: the start button is offered


def test_the_offline_queue_addresses_a_patrol_by_its_uid_and_each_batch_is_stored_once(as_user):
    leader = as_user("leader_a1")
    start = timezone.now() - dt.timedelta(minutes=20)
    patrol_uid = str(uuid.uuid4())
    # The phone's queue knows only the uid it gave the patrol; it sends the start first.
    started = leader.post(
        "/api/patrols", {"uid": patrol_uid, "started_at": start.isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert started.status_code == 201
    batch = _batch(start)
    for _ in range(2):  # a lost answer: the same batch again
        sent = leader.post(
            f"/api/patrols/{patrol_uid}/points", batch, content_type="application/json"
        )
        assert sent.status_code == 200
    assert sent.json()["duplicate"] is True
    ended_at = timezone.now() - dt.timedelta(minutes=5)
    ended = leader.post(
        f"/api/patrols/{patrol_uid}/end", {"ended_at": ended_at.isoformat()},
        content_type="application/json",
    )  # fmt: skip
    assert ended.status_code == 200
    patrol = Patrol.objects.get(uid=patrol_uid)
    assert (patrol.point_count, patrol.ended_at) == (13, ended_at)
    assert TrackPoint.objects.count() == 13


def test_a_patrol_uid_of_someone_else_or_unknown_is_not_found(as_user):
    started = as_user("leader_a1").post(
        "/api/patrols", {"uid": str(uuid.uuid4())}, content_type="application/json"
    )
    mine = started.json()["uid"]
    other = as_user("leader_b1")  # another grid leader
    for uid in (mine, str(uuid.uuid4())):
        answer = other.post(f"/api/patrols/{uid}/end", {}, content_type="application/json")
        assert answer.status_code == 404
        assert "detail" in answer.json()
    assert Patrol.objects.get(uid=mine).ended_at is None
