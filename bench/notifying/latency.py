"""B and C. The commit of an assignment → the live feed, → the fake WeCom receiver."""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.request
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from bench.dispatch import (
    Bench,
    make_matters,
    next_event_id,
    remove_all,
    remove_leftovers,
    say,
    snapshot_demo_units,
)
from bench.intake import demo_dispatcher
from bench.notifying.common import (
    NAME,
    TARGET_P95_S,
    Processes,
    receiver_call,
    start_asgi,
    start_receiver,
    start_worker,
    summary,
)
from gridmap.models import Area
from incidents.models import Category
from volunteers import announcements
from volunteers.models import Responder
from volunteers.services import assign

# --- B and C. commit → live feed, commit → WeCom receiver -------------------------------------


class Feed:
    """One open /notifications/stream/: the time each notification id arrived."""

    def __init__(self, port: int, session: str, after: int) -> None:
        self.arrived: dict[int, float] = {}
        self.ready = threading.Event()
        self.error = ""
        self.closing = False
        self.request = urllib.request.Request(
            f"http://127.0.0.1:{port}/notifications/stream/?after={after}",
            headers={"Cookie": f"sessionid={session}", "Accept": "text/event-stream"},
        )
        self.response = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            self.response = urllib.request.urlopen(self.request, timeout=600)
            event = ""
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "ready":
                    self.ready.set()
                elif line.startswith("data: ") and event == "notification":
                    self.arrived[json.loads(line[6:])["id"]] = time.time()
        except (OSError, ValueError, AttributeError) as error:
            # AttributeError: http.client reading a response that close() shut under it.
            if not self.closing:
                self.error = f"{type(error).__name__}: {error}"
            self.ready.set()

    def close(self) -> None:
        self.closing = True
        if self.response is not None:
            self.response.close()


@dataclass
class Offer:
    """One assignment of the run: when it committed, its site and WeCom rows."""

    committed: float
    site_id: int
    wecom_uid: str
    assign_s: float
    announce_s: float


def make_unit(dispatcher: User) -> tuple[Responder, User]:
    """The bench's unit (every skill, the whole county, room for every offer) and its member."""
    county = Area.objects.get(level="county", valid_to__isnull=True)
    member = User.objects.create_user(
        username=f"{NAME}-responder", role="responder", jurisdiction=county, language="zh-hans"
    )
    centre = county.boundary.point_on_surface
    unit = Responder.objects.create(
        name=f"{NAME}-unit", kind="mediator", home_area=county, capacity=1000,
        position=Point(centre.x, centre.y, srid=4326), position_at=timezone.now(),
        position_accuracy_m=10, phone="",
    )  # fmt: skip
    unit.skills.set(Category.objects.filter(active=True))
    unit.members.add(member)
    return unit, member


def remove_unit() -> None:
    """The bench's unit, its member and every notification the bench wrote itself."""
    unit = "(SELECT id FROM volunteers_responder WHERE name = %s)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notify_notification WHERE event_key LIKE %s", [f"{NAME}%"])
        for table in ("assignment", "responder_skills", "responder_members"):
            cursor.execute(
                f"DELETE FROM volunteers_{table} WHERE responder_id IN {unit}", [f"{NAME}-unit"]
            )
        cursor.execute("DELETE FROM volunteers_responder WHERE name = %s", [f"{NAME}-unit"])
    User.objects.filter(username=f"{NAME}-responder").delete()


class Timed:
    """volunteers.announcements.announce_offer wrapped to measure its share of assign()."""

    def __init__(self) -> None:
        self.original = announcements.announce_offer
        self.last = 0.0

    def __enter__(self) -> Timed:
        def timed(assignment: object, audience: tuple) -> None:
            started = time.perf_counter()
            try:
                self.original(assignment, audience)
            finally:
                self.last = time.perf_counter() - started

        announcements.announce_offer = timed
        return self

    def __exit__(self, *exc: object) -> None:
        announcements.announce_offer = self.original


def offer_once(matter: int, dispatcher: User, unit: Responder, timer: Timed) -> Offer:
    started = time.perf_counter()
    dispatched = assign(incident_id=matter, actor=dispatcher, responder_id=unit.pk)
    committed = time.time()
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT channel, id, uid FROM notify_notification WHERE event_key = %s",
            [f"offer:{dispatched.assignment.pk}"],
        )
        rows = {channel: (pk, str(uid)) for channel, pk, uid in cursor.fetchall()}
    return Offer(committed, rows["site"][0], rows.get("wecom", (0, ""))[1], elapsed, timer.last)


def wait_pending(keys_like: str | None = None, seconds: float = 60) -> bool:
    """Until no external notification is pending (of ``keys_like`` event keys, or any)."""
    deadline = time.monotonic() + seconds
    sql = "SELECT count(*) FROM notify_notification WHERE status = 'pending' AND channel <> 'site'"
    params: list[object] = []
    if keys_like:
        sql, params = sql + " AND event_key LIKE %s", [keys_like]
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.25)
    return False


def first_accepted(uids: set[str]) -> dict[str, float]:
    """When the receiver first accepted each of ``uids``."""
    times: dict[str, float] = {}
    for item in receiver_call("/_received"):
        uid = item.get("uid")
        if uid in uids and item["accepted"]:
            times[uid] = min(times.get(uid, item["time"]), item["time"])
    return times


def run_offers(
    args: argparse.Namespace, matters: list[int], dispatcher, unit, feed: Feed
) -> list[Offer]:
    offers = []
    with Timed() as timer:
        for matter in matters:
            offers.append(offer_once(matter, dispatcher, unit, timer))
            time.sleep(args.interval)
    deadline = time.monotonic() + 2 * TARGET_P95_S
    while time.monotonic() < deadline and not all(o.site_id in feed.arrived for o in offers):
        time.sleep(0.1)
    return offers


def report_latency(offers: list[Offer], feed: Feed, worker: bool) -> None:
    feed_s = [feed.arrived[o.site_id] - o.committed for o in offers if o.site_id in feed.arrived]
    summary("B. commit → the responder's live feed (SSE)", feed_s, target=" (p95 ≤ 5 s)")
    if len(feed_s) < len(offers):
        say(f"   {len(offers) - len(feed_s)} of {len(offers)} never reached the feed")
    if worker:
        uids = {o.wecom_uid for o in offers if o.wecom_uid}
        got = first_accepted(uids)
        wecom_s = [got[o.wecom_uid] - o.committed for o in offers if o.wecom_uid in got]
        summary("C. commit → the fake WeCom receiver (worker)", wecom_s, target=" (p95 ≤ 5 s)")
        if len(wecom_s) < len(offers):
            say(f"   {len(offers) - len(wecom_s)} of {len(offers)} never reached the receiver")
    else:
        say("C. commit → the fake WeCom receiver: not measured (--no-worker)")
    summary("assign() naming the unit, one at a time", [o.assign_s for o in offers], "ms")
    summary("  of which announce_offer (outbox rows)", [o.announce_s for o in offers], "ms")


def signed_in(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def bench_latency(args: argparse.Namespace, procs: Processes) -> None:
    say(
        f"\n== B, C. commit of an assignment → live feed and → WeCom receiver: {args.assignments} "
        f"assignments, one every {args.interval:g} s =="
    )
    start_receiver(procs)
    if not args.no_worker:
        start_worker(procs, args.worker_cmd)
    port = start_asgi(procs)
    dispatcher = demo_dispatcher()
    bench, feed = Bench(), None
    remove_leftovers()
    remove_unit()
    try:
        snapshot_demo_units(bench)
        make_matters(bench, args.assignments + args.warmup, dispatcher)
        bench.first_event = next_event_id()
        unit, member = make_unit(dispatcher)
        if not args.no_worker and not wait_pending():
            say("  (external notifications still pending after 60 s; going on)")
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM notify_notification")
            (after,) = cursor.fetchone()
        feed = Feed(port, signed_in(member), after)
        if not feed.ready.wait(15) or feed.error:
            raise SystemExit(f"the stream did not open: {feed.error or 'no ready event'}")
        run_offers(args, bench.matters[: args.warmup], dispatcher, unit, feed)
        offers = run_offers(args, bench.matters[args.warmup :], dispatcher, unit, feed)
        if not args.no_worker:
            wait_pending(seconds=2 * TARGET_P95_S)
        report_latency(offers, feed, worker=not args.no_worker)
    finally:
        if feed is not None:
            feed.close()
        remove_all(bench)
        remove_unit()
        procs.stop("uvicorn")
