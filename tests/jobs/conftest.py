"""Fixtures for the job runner: a clean queue, and real worker processes on the test database.

The worker is ``manage.py procrastinate worker`` in a subprocess, reaching the test database
through DATABASE_URL (pytest-django's ``test_…`` database, read from the live connection), so
its tests commit their rows (``transactional_db``). The incidents and dispatch fixtures (people,
intake, routed …) are tests/fixtures/. pytest-django's flush empties only Django's
managed tables: procrastinate's are emptied here, before and after each test that uses them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.notify.conftest import fake_receiver  # noqa: F401
from tests.servers import database_url

ROOT = Path(__file__).resolve().parents[2]
QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)
WECOM_PATH = "/cgi-bin/webhook/send"


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Like the incidents tests: photos in a throw-away directory, fast hashing, the categories."""


@pytest.fixture(autouse=True)
def no_environment_channels(settings):
    """This process writes group rows only where a test sets a webhook."""
    settings.NOTIFY_WECOM_WEBHOOK = ""
    settings.NOTIFY_DINGTALK_WEBHOOK = ""
    settings.NOTIFY_SMS_URL = ""


def empty_queue() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {QUEUE_TABLES} RESTART IDENTITY CASCADE")


@pytest.fixture
def clean_queue(db) -> Iterator[None]:
    """No job, event or worker row left by another test (flush does not reach these tables)."""
    empty_queue()
    yield
    empty_queue()


def workers_alive() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers")
        return cursor.fetchone()[0]


def wait_until(check: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``check`` until it returns something true; fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {timeout} s")


@pytest.fixture
def start_worker(transactional_db, clean_queue, tmp_path) -> Iterator[Callable]:
    """``start_worker(**environment)``: a running ``manage.py procrastinate worker`` process."""
    started: list[subprocess.Popen] = []

    def start(**environment: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": database_url(), "JOBS_POLL_SECONDS": "0.5"}
        env.update(environment)
        before = workers_alive()
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        command = [sys.executable, "manage.py", "procrastinate", "worker"]
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(worker)

        def ready() -> bool:
            if worker.poll() is not None:
                pytest.fail(f"the worker exited: {Path(log.name).read_text()[-2000:]}")
            return workers_alive() > before

        wait_until(ready, 60, "the worker registering itself")
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
