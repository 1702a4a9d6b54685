"""/readyz: 200 when the database answers and holds every migration, 503 with the reason when not;
/healthz keeps answering without the database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db.migrations.recorder import MigrationRecorder

from config.environment import cluster_home
from config.health import expected_migrations
from tests.servers import uvicorn

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_ready_when_the_database_holds_every_migration(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "workers": 0}  # no job worker runs here
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_not_ready_while_a_migration_of_the_code_is_not_applied(client):
    app, name = sorted(expected_migrations())[0]
    # The database no longer records it as applied: exactly what `migrate` has not done yet
    # after an upgrade brought it (rolled back with the test).
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "reason": "migrations pending"}
    assert name not in response.content.decode()  # the reason, no internal detail
    assert client.get("/healthz").status_code == 200  # alive all the same


# --- The real thing: a throwaway cluster stopped and started under a running server -------------


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_for(url: str, status: int, seconds: float) -> tuple[int, dict]:
    deadline = time.monotonic() + seconds
    while True:
        answer = _get(url)
        if answer[0] == status or time.monotonic() > deadline:
            return answer
        time.sleep(0.5)


class Cluster:
    """A project copy's own cluster, driven by its scripts/pg.sh as `make db`/`make stop` do.

    The copy sits in a private (0700) directory: as root its cluster is relocated to the state
    directory, the case of a clone under /root.
    """

    def __init__(self, base: Path) -> None:
        self.root = base / "private" / "proj"
        (self.root / "scripts").mkdir(parents=True)
        (base / "private").chmod(0o700)
        for script in ("pg.sh", "pg-socket-dir.sh"):
            shutil.copy2(ROOT / "scripts" / script, self.root / "scripts" / script)
        self.state = base / "state"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["PINGAN_STATE_DIR"] = str(self.state)

    def pg(self, action: str) -> str:
        result = subprocess.run(
            [str(self.root / "scripts" / "pg.sh"), action],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    @property
    def socket_dir(self) -> str:
        return cluster_home(self.root, state_dir=str(self.state))

    @property
    def url(self) -> str:
        return f"postgis://pingan@{quote(self.socket_dir, safe='')}/pingan"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    base = Path(tempfile.mkdtemp(prefix="pingan-readyz-"))
    base.chmod(0o755)
    made = Cluster(base)
    try:
        made.pg("start")
        yield made
    finally:
        made.pg("stop")
        shutil.rmtree(base)


@pytest.fixture
def server(cluster: Cluster) -> Iterator[str]:
    """uvicorn serving config.asgi on the throwaway cluster, as scripts/serve.sh does."""
    env = {**os.environ, "DATABASE_URL": cluster.url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    with uvicorn(env, "--lifespan", "off", stderr=subprocess.DEVNULL) as url:
        yield url


def test_readyz_follows_the_database_without_a_server_restart(cluster, server):
    if os.geteuid() == 0:  # the private copy's cluster lives in the state directory
        assert cluster.socket_dir.startswith(f"{cluster.state}/")
    ready = f"{server}/readyz"

    # A new, empty database: the server is alive but not ready until it is migrated.
    assert _get(ready) == (503, {"status": "not ready", "reason": "migrations pending"})
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": cluster.url},
        check=True,
    )
    assert _wait_for(ready, 200, 10) == (200, {"status": "ready", "workers": 0})

    assert "PostgreSQL stopped." in cluster.pg("stop")  # what `make stop` runs
    assert _wait_for(ready, 503, 30) == (
        503,
        {"status": "not ready", "reason": "database unavailable"},
    )
    assert _get(f"{server}/healthz") == (200, {"status": "ok"})

    cluster.pg("start")
    assert _wait_for(ready, 200, 60) == (200, {"status": "ready", "workers": 0})
