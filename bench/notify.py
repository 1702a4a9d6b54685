"""Benchmark: what notifications cost the dispatch path and how fast they arrive. Prints figures.

Issue 13's performance targets, on the demo county (`make demo` / `make bench` load it):

A. ``dispatch`` — bench/dispatch.py (16 threads of assign() against the same work in raw SQL) run
   from this checkout, where assign() writes the outbox, and from a detached checkout of the
   commit before notifications were wired into assign() (--before; e27e16e, main just before the
   merge of the notify outbox 5322074), against the same database (the schemas differ only by
   tables the old code does not touch). Both with DB_POOL=false: the dispatch bench's threads
   each hold a connection, more than the pool lends. Here the WeCom default points at the fake
   receiver, so each offer also writes the center's group row and queues its delivery job, as a
   county with a robot configured does (--no-group-channel: site rows only). Prints both
   service/raw ratios (target ≥ 0.5), double dispatches (must be 0) and the outbox's added
   milliseconds per assignment: 1000/tx_s(after) − 1000/tx_s(before) of the service path.
B. ``latency`` — the commit of an assignment to the unit member's live feed: the ASGI server as
   scripts/serve.sh runs it (uvicorn, 2 workers) and one open /notifications/stream/ of a bench
   responder's account; an assignment (assign() naming the bench unit) every --interval seconds
   on bench matters (bench/dispatch.py's make_matters); commit time (assign() returned) to the
   stream's event with that notification's id. p50/p95 (target p95 ≤ 5 s).
C. same run — the commit to the fake WeCom receiver getting the center's group message (matched
   by its X-Pingan-Notification uid), delivered by the job worker (--worker-cmd, default
   ``manage.py procrastinate worker``), whose delivery job is woken by the database at commit
   (notify/0005's NOTIFY). p50/p95 (≤ 5 s).
   Also assign()'s wall time and the part of it spent in volunteers.announcements.announce_offer.
D. ``drain`` — --pending (10,000) pending WeCom notifications of the county center inserted in
   one transaction (their commit wakes the worker, as an event's does); the receiver fails 20 % of
   calls (POST /_control {"fail_rate": 0.2}); time until none is pending, and from the receiver's
   record: distinct notification ids accepted (must be all) and repeats (accepted more than once).
   Retries back off from NOTIFY_RETRY_BASE_SECONDS (--retry-base, printed). --drain-with command
   runs ``manage.py deliver_notifications`` in a loop instead of the worker.

Everything the bench makes is deleted at the end, also after an error or Ctrl-C; processes it
started are stopped. The fake receiver is tests/fakes/receiver.py, run as a process.

Run: make bench  (or: .venv/bin/python bench/notify.py [--only dispatch|latency|drain]
[--assignments 50] [--pending 10000] …; --help for all)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import free_port, stop_group  # noqa: E402

# The fake robot's address must be in the settings before Django reads them: announce() writes a
# group row only for a center that has a channel. Other defaults are cleared so that each offer
# makes exactly one external row.
RECEIVER_PORT = free_port()
WECOM_URL = f"http://127.0.0.1:{RECEIVER_PORT}/cgi-bin/webhook/send?key=bench"
os.environ.update(
    NOTIFY_WECOM_WEBHOOK=WECOM_URL,
    NOTIFY_DINGTALK_WEBHOOK="",
    NOTIFY_SMS_URL="",
    NOTIFY_SITE_URL="",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from procrastinate.exceptions import AlreadyEnqueued  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.dispatch import (  # noqa: E402
    Bench,
    make_matters,
    next_event_id,
    percentile,
    remove_all,
    remove_leftovers,
    say,
    snapshot_demo_units,
)
from bench.intake import demo_dispatcher  # noqa: E402
from gridmap.models import Area  # noqa: E402
from incidents.models import Category  # noqa: E402
from notify.tasks import deliver_notifications  # noqa: E402
from volunteers import announcements  # noqa: E402
from volunteers.models import Responder  # noqa: E402
from volunteers.services import assign  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Main just before the notify outbox was merged (5322074^1): assign() wrote no notification.
BEFORE_COMMIT = "e27e16e"
WORKER_CMD = f"{PYTHON} manage.py procrastinate worker"
TARGET_RATIO = 0.5
TARGET_ADDED_MS = 2.0
TARGET_P95_S = 5.0
TARGET_DRAIN_S = 60.0
NAME = "bench-notify"  # the bench's unit and user; its notifications' event keys start so
DRAIN_KEY = f"{NAME}-drain:"


# --- processes ------------------------------------------------------------------------------


@dataclass
class Processes:
    """What the bench started, stopped at the end."""

    started: list[tuple[str, subprocess.Popen, Path]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = Path(tempfile.mkstemp(prefix=f"bench-notify-{name}-", suffix=".log")[1])
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=out,
                start_new_session=True,  # its own group: stopped with everything it starts
            )
        self.started.append((name, process, log))
        return process

    def check(self) -> None:
        for name, process, log in self.started:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"{name} exited ({process.returncode}):\n{tail}")

    def stop(self, name: str | None = None) -> None:
        for entry in [e for e in self.started if name in (None, e[0])]:
            stop_group(entry[1])
            entry[2].unlink(missing_ok=True)
            self.started.remove(entry)


def child_env(args: argparse.Namespace) -> dict[str, str]:
    """The worker's and the server's environment: the bench's, with its retry base and threads."""
    env = {**os.environ, "NOTIFY_RETRY_BASE_SECONDS": f"{args.retry_base:g}"}
    env["NOTIFY_DELIVERY_THREADS"] = str(args.threads or settings.NOTIFY_DELIVERY_THREADS)
    return env


def wait_http(url: str, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {seconds:g} s")


def receiver_call(path: str, payload: dict | None = None) -> object:
    """GET (no payload) or POST JSON to the fake receiver; its JSON answer."""
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{RECEIVER_PORT}{path}",
        data=data,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def start_receiver(procs: Processes) -> None:
    if not any(name == "receiver" for name, _p, _l in procs.started):
        procs.start(
            "receiver", [PYTHON, "-m", "tests.fakes.receiver", "--port", str(RECEIVER_PORT)]
        )
        wait_http(f"http://127.0.0.1:{RECEIVER_PORT}/_received", "the fake receiver")
    receiver_call("/_reset", {})


def start_worker(procs: Processes, command: str, seconds: float = 60) -> None:
    """The job worker, once it has registered itself (procrastinate_workers) and follows the
    outbox (its delivery run queued now, as the minute's tick would)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM procrastinate_workers")
        (last,) = cursor.fetchone()
    procs.start("worker", shlex.split(command))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        procs.check()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procrastinate_workers WHERE id > %s", [last])
            if cursor.fetchone()[0]:
                with contextlib.suppress(AlreadyEnqueued):
                    deliver_notifications.defer(timestamp=int(time.time()))
                time.sleep(1)  # the run starts and LISTENs
                return
        time.sleep(0.2)
    raise SystemExit(f"the worker did not start within {seconds:g} s: {command}")


def start_asgi(procs: Processes) -> int:
    """uvicorn as scripts/serve.sh runs it, on a free port."""
    port = free_port()
    procs.start(
        "uvicorn",
        [str(ROOT / ".venv" / "bin" / "uvicorn"), "config.asgi:application", "--host",
         "127.0.0.1", "--port", str(port), "--workers", "2", "--no-proxy-headers",
         "--no-server-header", "--lifespan", "off", "--timeout-graceful-shutdown", "10"],
    )  # fmt: skip
    wait_http(f"http://127.0.0.1:{port}/healthz", "uvicorn")
    return port


def summary(label: str, values: list[float], unit: str = "s", target: str = "") -> None:
    scale = 1000 if unit == "ms" else 1
    if not values:
        say(f"{label:<52} no samples")
        return
    say(
        f"{label:<52} p50 {percentile(values, 0.5) * scale:7.3f} {unit}   "
        f"p95 {percentile(values, 0.95) * scale:7.3f} {unit}   "
        f"max {max(values) * scale:7.3f} {unit}   n {len(values)}{target}"
    )


# --- A. assign() with and without the outbox ---------------------------------------------------


@dataclass
class DispatchFigures:
    """What one bench/dispatch.py run printed."""

    label: str
    service_tps: float = 0.0
    raw_tps: float = 0.0
    ratio: float = 0.0
    doubles: int = -1
    statements: int = 0
    load: str = ""


ROW = re.compile(r"^(service assign\(\)|raw SQL \(psycopg\))\s+(\d+)\s+([\d.]+)")
RATIO = re.compile(r"service/raw ([\d.]+).*double dispatches (\d+).*service (\d+), raw")


def before_checkout(path: Path, commit: str) -> Path:
    """A detached worktree of ``commit`` (made once, reused)."""
    if not (path / "bench" / "dispatch.py").exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), commit],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return path


def database_url() -> str:
    """The database this process uses, for a checkout whose own default would be elsewhere."""
    db = settings.DATABASES["default"]
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


def run_dispatch(label: str, root: Path, args: argparse.Namespace, group: bool) -> DispatchFigures:
    command = [PYTHON, str(root / "bench" / "dispatch.py"), "--skip-api"]
    command += ["--responders", str(args.responders), "--points", str(args.points)]
    command += ["--seconds", f"{args.seconds:g}"]
    env = {**os.environ, "DB_POOL": "false", "DATABASE_URL": database_url()}
    if not group:
        env["NOTIFY_WECOM_WEBHOOK"] = ""
    say(f"  {label}: {' '.join(command[1:])}")
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    figures = DispatchFigures(label)
    for line in result.stdout.splitlines():
        if match := ROW.match(line):
            tps = float(match.group(3))
            if match.group(1).startswith("service"):
                figures.service_tps = tps
            else:
                figures.raw_tps = tps
        elif match := RATIO.search(line):
            figures.ratio, figures.doubles = float(match.group(1)), int(match.group(2))
            figures.statements = int(match.group(3))
        elif line.startswith("Demo county"):
            figures.load = line.rpartition("load average ")[2].split(" ")[0]
        if line.startswith(("  service assign():", "  raw SQL (psycopg):")) and "×" in line:
            say(f"    {line.strip()}")
    if result.returncode or figures.doubles < 0:
        raise SystemExit(f"bench/dispatch.py ({label}) failed:\n{result.stderr[-3000:]}")
    return figures


def bench_assign_cost(args: argparse.Namespace) -> None:
    before_root = before_checkout(Path(args.before_dir), args.before)
    say(
        f"\n== A. assign() before and after the outbox: bench/dispatch.py, {args.responders:,} "
        f"responders, {args.points:,} matters, {args.seconds:g} s per path, "
        f"{args.rounds} round(s) =="
    )
    say(f"  before: {args.before} in {before_root}; after: this checkout")
    runs: list[DispatchFigures] = []
    for round_ in range(1, args.rounds + 1):
        runs.append(run_dispatch(f"before #{round_}", before_root, args, group=False))
        runs.append(run_dispatch(f"after #{round_}", ROOT, args, group=args.group_channel))
    say(
        f"{'run':<12}{'load':>6}{'assign() tx/s':>15}{'raw tx/s':>10}{'service/raw':>13}"
        f"{'double':>8}{'statements':>12}"
    )
    for run in runs:
        say(
            f"{run.label:<12}{run.load:>6}{run.service_tps:>15.1f}{run.raw_tps:>10.1f}"
            f"{run.ratio:>13.2f}{run.doubles:>8}{run.statements:>12}"
        )
    before = [r for r in runs if r.label.startswith("before")]
    after = [r for r in runs if r.label.startswith("after")]

    def ms(group: list[DispatchFigures]) -> float:
        return sum(1000 / r.service_tps for r in group) / len(group)

    added = ms(after) - ms(before)
    ratio = min(r.ratio for r in after)
    doubles = sum(r.doubles for r in runs)
    # The bench units have no accounts: no site rows here (B writes them).
    channels = (
        "audience query, the center's WeCom row"
        if args.group_channel
        else "the audience query only"
    )
    say(
        f"outbox ({channels}): {added:+.2f} ms per assignment of the 16 threads' service path "
        f"(target ≤ {TARGET_ADDED_MS:g}); service/raw after {ratio:.2f} (target ≥ {TARGET_RATIO}); "
        f"double dispatches {doubles} (must be 0)"
    )


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
        def timed(assignment: object) -> None:
            started = time.perf_counter()
            try:
                self.original(assignment)
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


# --- D. draining 10,000 pending notifications ---------------------------------------------------

INSERT_PENDING = """
INSERT INTO notify_notification (uid, event, event_key, center_id, channel, title, text, link,
    urgent, status, attempts, last_error, created_at, next_attempt_at)
SELECT gen_random_uuid(), 'test', %(key)s || n, %(center)s, 'wecom', '通知基准 ' || n,
    'bench/notify.py: synthetic notification, deleted after the run.', '', false, 'pending', 0,
    '', now(), now()
FROM generate_series(1, %(count)s) n
"""
DRAIN_STATE = """
SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent'),
       count(*) FILTER (WHERE status = 'failed'),
       min(next_attempt_at) FILTER (WHERE status = 'pending')
FROM notify_notification WHERE event_key LIKE %(like)s
"""


def drain_state() -> tuple[int, int, int, object]:
    with connection.cursor() as cursor:
        cursor.execute(DRAIN_STATE, {"like": f"{DRAIN_KEY}%"})
        return cursor.fetchone()


def insert_pending(count: int) -> float:
    """The rows in one transaction (the commit wakes a following worker); commit time."""
    county = Area.objects.get(level="county", valid_to__isnull=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_PENDING, {"key": DRAIN_KEY, "center": county.pk, "count": count})
    return time.time()


def drain_by_command(procs: Processes, deadline: float) -> None:
    """manage.py deliver_notifications again and again, waiting for the next retry between runs."""
    while time.monotonic() < deadline:
        subprocess.run(
            [PYTHON, "manage.py", "deliver_notifications", "--limit", "100000", "-v", "0"],
            cwd=ROOT,
            env=procs.env,
            check=True,
            capture_output=True,
        )
        pending, _sent, _failed, due = drain_state()
        if not pending:
            return
        time.sleep(max(0.0, min(1.0, (due - timezone.now()).total_seconds())))


def wait_drained(deadline: float, count: int) -> float:
    """Until none is pending; when 99 % of them were no longer pending (the retries' tail)."""
    most = 0.0
    while time.monotonic() < deadline and (pending := drain_state()[0]):
        if not most and pending <= count // 100:
            most = time.time()
        time.sleep(0.1)
    return most or time.time()


def bench_drain(args: argparse.Namespace, procs: Processes) -> None:
    by = "command" if args.drain_with == "command" else "worker"
    say(
        f"\n== D. {args.pending:,} pending WeCom notifications drained by the {by}, the receiver "
        f"failing {args.fail_rate:.0%} of calls; NOTIFY_RETRY_BASE_SECONDS={args.retry_base:g}, "
        f"NOTIFY_DELIVERY_THREADS={procs.env['NOTIFY_DELIVERY_THREADS']}, "
        f"NOTIFY_MAX_ATTEMPTS={settings.NOTIFY_MAX_ATTEMPTS} (the worker's environment) =="
    )
    start_receiver(procs)
    receiver_call("/_control", {"fail_rate": args.fail_rate})
    remove_unit()
    try:
        if by == "worker" and not any(n == "worker" for n, _p, _l in procs.started):
            start_worker(procs, args.worker_cmd)
        committed = insert_pending(args.pending)
        deadline = time.monotonic() + args.drain_timeout
        most = 0.0
        if by == "worker":
            most = wait_drained(deadline, args.pending) - committed
        else:
            drain_by_command(procs, deadline)
        report_drain(time.time() - committed, most)
    finally:
        receiver_call("/_control", {"fail_rate": 0})
        remove_unit()


def report_drain(elapsed: float, most: float) -> None:
    pending, sent, failed, _due = drain_state()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT uid::text FROM notify_notification WHERE event_key LIKE %s", [f"{DRAIN_KEY}%"]
        )
        ours = {uid for (uid,) in cursor.fetchall()}
        cursor.execute(
            "SELECT attempts, count(*) FROM notify_notification WHERE event_key LIKE %s "
            "GROUP BY 1 ORDER BY 1",
            [f"{DRAIN_KEY}%"],
        )
        attempts = ", ".join(f"{a}: {n:,}" for a, n in cursor.fetchall())
    calls = [r for r in receiver_call("/_received") if r.get("uid") in ours]
    accepted = [r["uid"] for r in calls if r["accepted"]]
    distinct = len(set(accepted))
    state = (
        "all sent"
        if not pending and not failed
        else f"{pending:,} still pending, {failed:,} failed"
    )
    say(
        f"time from commit until none pending: {elapsed:.1f} s ({state}; target ≤ "
        f"{TARGET_DRAIN_S:g} s), {sent / max(elapsed, 1e-9):,.0f} sent/s"
        + (f"; 99 % done after {most:.1f} s" if most else "")
    )
    say(
        f"rows: {sent:,} sent, {failed:,} failed, {pending:,} pending; attempts per row: {attempts}"
    )
    say(
        f"receiver: {len(calls):,} calls, {len(calls) - len(accepted):,} answered with a failure, "
        f"{len(accepted):,} accepted; distinct ids accepted {distinct:,} of {len(ours):,} "
        f"(must be all), repeats {len(accepted) - distinct:,} (must be 0)"
    )


# --- main ---------------------------------------------------------------------------------------

SECTIONS = ("dispatch", "latency", "drain")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run this section (repeatable); all by default",
    )
    add("--worker-cmd", default=WORKER_CMD, help=f"the job worker (default: {WORKER_CMD})")
    add(
        "--retry-base",
        type=float,
        default=0.25,
        help="NOTIFY_RETRY_BASE_SECONDS for the worker (0.25)",
    )
    group = parser.add_argument_group("A. dispatch")
    group.add_argument(
        "--before", default=BEFORE_COMMIT, help=f"commit without the outbox ({BEFORE_COMMIT})"
    )
    group.add_argument(
        "--before-dir", default="/tmp/bench-before", help="its checkout (made if missing)"
    )
    group.add_argument("--responders", type=int, default=100_000, help="bench responders (100,000)")
    group.add_argument("--points", type=int, default=300, help="bench matters (300)")
    group.add_argument("--seconds", type=float, default=5, help="per path and run (5)")
    group.add_argument("--rounds", type=int, default=1, help="before/after pairs (1)")
    group.add_argument(
        "--no-group-channel",
        dest="group_channel",
        action="store_false",
        help="after: no WeCom default, site rows only",
    )
    group = parser.add_argument_group("B, C. latency")
    group.add_argument("--assignments", type=int, default=50, help="measured assignments (50)")
    group.add_argument("--warmup", type=int, default=3, help="assignments not measured (3)")
    group.add_argument("--interval", type=float, default=0.2, help="seconds between them (0.2)")
    group.add_argument("--no-worker", action="store_true", help="no worker: C is not measured")
    group = parser.add_argument_group("D. drain")
    group.add_argument("--pending", type=int, default=10_000, help="notifications (10,000)")
    group.add_argument("--fail-rate", type=float, default=0.2, help="receiver failures (0.2)")
    group.add_argument("--threads", type=int, help="NOTIFY_DELIVERY_THREADS for the worker")
    group.add_argument("--drain-with", choices=("worker", "command"), default="worker")
    group.add_argument("--drain-timeout", type=float, default=300, help="give up after (300 s)")
    return parser.parse_args()  # fmt: skip


def main() -> None:
    args = parse_args()
    sections = args.only or list(SECTIONS)
    if not Area.objects.filter(level="grid", valid_to__isnull=True).exists():
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    say(
        f"{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} before the run; "
        f"fake WeCom robot {WECOM_URL}; worker: {args.worker_cmd}"
    )
    procs = Processes(env=child_env(args))
    try:
        if "dispatch" in sections:
            bench_assign_cost(args)
        if "latency" in sections:
            bench_latency(args, procs)
        if "drain" in sections:
            bench_drain(args, procs)
    finally:
        procs.stop()
    say(f"Load average after the run: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
