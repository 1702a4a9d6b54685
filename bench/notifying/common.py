"""bench/notify.py's shared parts: constants, the processes it starts, percentiles."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from procrastinate.exceptions import AlreadyEnqueued

from bench._common import free_port, stop_group
from bench.dispatch import (
    percentile,
    say,
)
from notify.tasks import deliver_notifications

# Set by bench/notify.py before Django read its settings.
WECOM_URL = os.environ["NOTIFY_WECOM_WEBHOOK"]
RECEIVER_PORT = urlsplit(WECOM_URL).port
ROOT = Path(__file__).resolve().parents[2]

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
