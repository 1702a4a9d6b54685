"""bench/routing.py, section "request": GET /api/incidents/{id}/candidates?limit=5 in the
process (Django's test client, the bench's token), to compare versions on a busy machine: per
request the statements sent, the process's CPU time and the database backend's CPU time (both
counted by the kernel, whatever the load average), and the wall time."""

from __future__ import annotations

import os
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.dispatching.setup import Bench, make_matters, make_responders, remove_all
from bench.routes.candidates import backend_cpu_ms
from bench.routes.common import percentile, say

ROUNDS = 3


def bench_request(args, user, token: str) -> None:
    """Bench units and routed matters, each matter's candidates asked ROUNDS times after one
    warm-up pass (the units' places kept, as when the console asks again), then removed."""
    bench = Bench()
    try:
        say("Setting up:")
        make_responders(args.responders)
        make_matters(bench, args.points, user)
        client = Client(headers={"authorization": f"Token {token}"}, SERVER_NAME="127.0.0.1")
        paths = [f"/api/incidents/{pk}/candidates?limit=5" for pk in bench.matters]
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:200]!r}")
        wall, cpu, statements = [], [], []
        db_before = backend_cpu_ms()
        for _round in range(ROUNDS):
            for path in paths:
                cpu_before, started = time.process_time(), time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    client.get(path)
                cpu.append((time.process_time() - cpu_before) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
                statements.append(len(queries.captured_queries))
        db = (backend_cpu_ms() - db_before) / len(wall)
        say(
            f"\n== GET /api/incidents/{{id}}/candidates?limit=5 in the process, "
            f"{len(wall)} requests =="
        )
        say(
            f"statements mean {sum(statements) / len(statements):.2f} (max {max(statements)}); "
            f"Python CPU mean {sum(cpu) / len(cpu):.2f} ms; database CPU {db:.2f} ms; wall p50 "
            f"{percentile(wall, 0.5):.1f} ms, p95 {percentile(wall, 0.95):.1f} ms; load average "
            f"{os.getloadavg()[0]:.1f}"
        )
    finally:
        remove_all(bench)
