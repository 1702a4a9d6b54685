"""Benchmark: taking matters in through POST /api/incidents/ on the demo county. Prints figures.

The API served as in production (gunicorn, 2 sync workers, persistent DB connections), signed in
with the demo dispatcher's token. Two bodies: a GeoJSON Feature as JSON (no photo), and a
multipart form with the feature and one ~1.5 MB 3000×2000 JPEG (the server checks, resizes and
re-encodes it). Each with 1 client (sequential) and 8 concurrent clients (threads, http.client);
every request has a fresh uid, a random point in the county and a category in turn, so each one
creates a matter. The bench's matters, their trail, parties and photos are deleted at the end
(the trail's append-only trigger is disabled for that one transaction only).

Run: make bench  (or: .venv/bin/python bench/intake.py [--seconds S])
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.tokens import issue_token  # noqa: E402
from bench.locate import free_port, sample_points, serve  # noqa: E402
from gridmap.demo.logins import DEMO_LOGINS  # noqa: E402
from gridmap.demo.reference import COUNTY_CODE  # noqa: E402
from gridmap.models import Area  # noqa: E402
from incidents.models import Category, Incident, IncidentEvent, Party, Photo  # noqa: E402

PATH = "/api/incidents/"
BOUNDARY = "benchintakeboundary7d4f"
CLIENTS = (1, 8)
# The trail's append-only trigger (incidents migration 0002); a constant, never user input.
TRIGGER = "incidents_event_append_only"


def demo_dispatcher() -> User:
    """The demo's county dispatcher (gridmap/demo/logins.py), or exit saying what to load."""
    login = next(
        login
        for login in DEMO_LOGINS
        if login.role == "dispatcher" and login.jurisdiction_code == COUNTY_CODE
    )
    user = User.objects.filter(username=login.username).first()
    if user is None:
        raise SystemExit("No demo dispatcher: run `manage.py load_demo` (make bench does) first.")
    return user


def make_photo() -> bytes:
    """A 3000×2000 JPEG of about 1.5 MB: gradients and sensor-like noise, as a phone sends."""
    gradient = Image.linear_gradient("L").resize((3000, 2000))
    noise = Image.effect_noise((3000, 2000), 14)
    image = Image.merge("RGB", (gradient, noise, gradient.rotate(90)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


@dataclass
class Run:
    """What one configuration's clients saw."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    first_failure: str = ""
    seconds: float = 0.0
    uids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


class Bodies:
    """Fresh request bodies: a new uid each, points and categories in turn."""

    def __init__(self, points: list[tuple[float, float]], categories: list[str], photo: bytes):
        self.points = points
        self.categories = categories
        self.photo = photo
        self.count = 0
        self.lock = threading.Lock()

    def feature(self) -> tuple[str, bytes]:
        with self.lock:
            self.count += 1
            index = self.count
        uid = str(uuid.uuid4())
        lon, lat = self.points[index % len(self.points)]
        body = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "uid": uid,
                "category": self.categories[index % len(self.categories)],
                "tier": "ordinary",
                "title": f"基准测试 {index}",
                "description": "bench/intake.py: synthetic matter, deleted after the run.",
                "accuracy_m": 8,
            },
        }
        return uid, json.dumps(body, ensure_ascii=False).encode()

    def json(self) -> tuple[str, bytes, str]:
        uid, body = self.feature()
        return uid, body, "application/json"

    def multipart(self) -> tuple[str, bytes, str]:
        uid, feature = self.feature()
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="feature"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        photo_head = (
            f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; '
            'filename="bench.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        body = head + feature + photo_head + self.photo + f"\r\n--{BOUNDARY}--\r\n".encode()
        return uid, body, f"multipart/form-data; boundary={BOUNDARY}"


def client_loop(port: int, token: str, make_body, run: Run, stop_at: float) -> None:
    """One client: POST after POST until the time is up (gunicorn closes; http.client reopens)."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop_at:
        uid, body, content_type = make_body()
        headers = {"Authorization": f"Token {token}", "Content-Type": content_type}
        started = time.perf_counter()
        connection_.request("POST", PATH, body=body, headers=headers)
        response = connection_.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        with run.lock:
            run.uids.append(uid)
            if response.status == 201:
                run.latencies.append(elapsed)
            else:
                run.failures += 1
                run.first_failure = run.first_failure or f"{response.status} {payload[:300]!r}"
    connection_.close()


def measure(port: int, token: str, make_body, clients: int, seconds: float) -> Run:
    run = Run()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(port, token, make_body, run, stop_at))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def clean_up(uids: list[str]) -> int:
    """Delete the bench's matters with their trail, parties and photo files; one transaction."""
    incidents = Incident.objects.filter(uid__in=uids)
    files = list(Photo.objects.filter(incident__in=incidents).values_list("image", flat=True))
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The trail refuses DELETE by a trigger; these events belong to synthetic matters.
            cursor.execute(f"ALTER TABLE incidents_incidentevent DISABLE TRIGGER {TRIGGER}")
            IncidentEvent.objects.filter(incident__in=incidents).delete()
            cursor.execute(f"ALTER TABLE incidents_incidentevent ENABLE TRIGGER {TRIGGER}")
        Photo.objects.filter(incident__in=incidents).delete()
        Party.objects.filter(incident__in=incidents).delete()
        deleted = incidents.count()
        incidents.delete()
    for name in files:
        default_storage.delete(name)
    return deleted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="duration of each run (8)")
    args = parser.parse_args()
    grids = Area.objects.filter(level="grid", valid_to__isnull=True).count()
    if grids == 0:
        raise SystemExit("No grid cells in the database: run `make demo` (or load_demo) first.")
    user = demo_dispatcher()
    _token, key = issue_token(user=user, user_agent="bench/intake.py")
    categories = list(Category.objects.filter(active=True).values_list("code", flat=True))
    photo = make_photo()
    bodies = Bodies(sample_points(2000, seed=20261), categories, photo)
    print(
        f"Demo county: {grids:,} grid cells; {os.cpu_count()} CPU cores (load average "
        f"{os.getloadavg()[0]:.1f} before the run); signed in as {user.username}; "
        f"photo {len(photo) / 1e6:.2f} MB 3000×2000 JPEG"
    )

    port = free_port()
    server = serve(port)
    uids: list[str] = []
    rows = []
    try:
        # Warm up both workers: imports, the persistent connection, PostGIS in the backend.
        warm = measure(port, key, bodies.json, 4, 2)
        uids += warm.uids
        for name, make_body in (
            ("JSON, no photo", bodies.json),
            ("multipart, 1 photo", bodies.multipart),
        ):
            for clients in CLIENTS:
                run = measure(port, key, make_body, clients, args.seconds)
                uids += run.uids
                rows.append((name, clients, run))
    finally:
        server.terminate()
        server.wait(timeout=10)
        deleted = clean_up(uids)

    print("\n== POST /api/incidents/: gunicorn, 2 sync workers, persistent connections ==")
    print(
        f"{'body':<20}{'clients':>8}{'created':>9}{'req/s':>8}{'p50':>10}{'p95':>10}{'non-201':>9}"
    )
    for name, clients, run in rows:
        print(
            f"{name:<20}{clients:>8}{len(run.latencies):>9}"
            f"{len(run.latencies) / run.seconds:>8.1f}"
            f"{run.percentile(0.50) * 1000:>8.1f}ms{run.percentile(0.95) * 1000:>8.1f}ms"
            f"{run.failures:>9}"
        )
    for name, clients, run in rows:
        if run.first_failure:
            print(f"first failure ({name}, {clients} clients): {run.first_failure}")
    print(f"Deleted the bench's {deleted:,} matters with their trail and photos.")


if __name__ == "__main__":
    main()
