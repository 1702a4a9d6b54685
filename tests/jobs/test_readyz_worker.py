"""/readyz and the job worker: the workers alive are counted from procrastinate's heartbeats, and
with READY_REQUIRE_WORKER=true a server without one is not ready (docs/deploy.md#health)."""

from __future__ import annotations

import signal

import pytest

from tests.jobs.conftest import wait_until


def _readyz(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.json()


@pytest.fixture
def require_worker(settings):
    settings.READY_REQUIRE_WORKER = True


def test_without_the_setting_a_missing_worker_is_reported_but_the_server_stays_ready(
    clean_queue, client
):
    assert _readyz(client) == (200, {"status": "ready", "workers": 0})


def test_a_required_worker_makes_readyz_follow_a_real_worker(start_worker, require_worker, client):
    not_ready = (503, {"status": "not ready", "reason": "job worker not running", "workers": 0})
    assert _readyz(client) == not_ready

    worker = start_worker()
    assert _readyz(client) == (200, {"status": "ready", "workers": 1})

    # A worker stopped the way systemd stops it (TERM) unregisters itself: not ready at once.
    worker.terminate()
    worker.wait(timeout=60)
    assert _readyz(client) == not_ready


def test_a_killed_worker_counts_until_its_heartbeat_is_30_seconds_old(
    start_worker, require_worker, client
):
    worker = start_worker()
    assert _readyz(client)[0] == 200

    # kill -9 (or the machine's OOM killer): the worker's row stays, its heartbeat stops.
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert _readyz(client) == (200, {"status": "ready", "workers": 1})
    answer = wait_until(lambda: _readyz(client)[0] == 503 and _readyz(client), 50, "503")
    assert answer == (
        503,
        {"status": "not ready", "reason": "job worker not running", "workers": 0},
    )
