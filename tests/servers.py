"""Real server processes for tests: a free port, the test database's URL, uvicorn on config.asgi."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, as DATABASE_URL for a subprocess."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgis://{db['USER']}{password}@{host}{port}/{db['NAME']}"


@contextlib.contextmanager
def uvicorn(env: Mapping[str, str], *options: str, **popen: object) -> Iterator[str]:
    """uvicorn serving config.asgi with ``env`` (as scripts/serve.sh does), once /healthz
    answers; its URL. Stopped on exit."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-proxy-headers", "--log-level", "warning", *options]
    server = subprocess.Popen(command, cwd=ROOT, env=dict(env), **popen)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("uvicorn exited at start-up")
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not answer /healthz within 20 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=15)
