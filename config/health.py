"""Readiness probe ``/readyz``: may this server take requests now?

``/healthz`` (config/views.py) is the liveness probe: it answers while the process runs, database
or not, so a supervisor restarts only a server that hangs. ``/readyz`` says whether requests can
be served: the database answers within a short statement timeout, and it holds every migration of
the code this process runs. A load balancer sends traffic only to ready servers; during an
upgrade a new server is not ready until `manage.py migrate` has run.

The answer also counts the job workers alive (``"workers"``: procrastinate workers whose
heartbeat is younger than WORKER_HEARTBEAT_SECONDS). Without one, no notification leaves the
site and no periodic job runs, but pages are served: so a missing worker makes the server not
ready only where READY_REQUIRE_WORKER=true (the production environment file, docs/deploy.md),
where a monitor watching /readyz then sees it.

The answer carries the reason and nothing else (no error text, host or migration names): it is
public, like ``/healthz``. Failures are logged with their detail for the operator.
"""

from __future__ import annotations

import functools
import logging

import psycopg
from django.conf import settings
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# A database slower than this to read a hundred rows is not ready to serve pages.
STATEMENT_TIMEOUT_MS = 2000
# Longest wait for a pooled connection. A request waits the pool's own timeout (10 s) while the
# pool reconnects; a probe must answer well within a load balancer's probe timeout.
POOL_WAIT_SECONDS = 2.0
DATABASE_UNAVAILABLE = "database unavailable"
MIGRATIONS_PENDING = "migrations pending"
WORKER_MISSING = "job worker not running"
# A worker writes its heartbeat every 10 s (procrastinate's update_heartbeat_interval) and is
# taken for dead by the others after 30 s (its stalled_worker_timeout): the same limit here.
WORKER_HEARTBEAT_SECONDS = 30


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """The leaf migrations of the code this process runs: (app, name) pairs.

    Reading the graph imports every migration module, so it is done once per process; the code
    on disk does not change under a running server (an upgrade restarts it).
    """
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _probe(cursor) -> tuple[set[tuple[str, str]], int | None]:
    # SET LOCAL: the timeout ends with this transaction, the connection goes back unchanged.
    cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
    cursor.execute("SELECT app, name FROM django_migrations")
    applied = {(app, name) for app, name in cursor.fetchall()}
    if expected_migrations() - applied:
        return applied, None  # procrastinate's table may not even exist yet
    cursor.execute(
        "SELECT count(*) FROM procrastinate_workers"
        " WHERE last_heartbeat > now() - make_interval(secs => %s)",
        [WORKER_HEARTBEAT_SECONDS],
    )
    return applied, cursor.fetchone()[0]


def probe_database() -> tuple[set[tuple[str, str]], int | None]:
    """The migrations the database records and the job workers alive (None while migrations
    are pending), read in one transaction under a short statement timeout.

    This is also the database check: it needs a connection as a request gets one (from the
    server's pool, DB_POOL) and an answer in time. Raises psycopg's or Django's database errors.
    """
    pool = connection.pool if connection.vendor == "postgresql" else None
    if pool is None or connection.connection is not None:
        # Persistent connections (DB_POOL=false), or one this thread holds already (tests).
        with transaction.atomic(), connection.cursor() as cursor:
            return _probe(cursor)
    pool.open()  # Django opens it on the first request; a probe may come first
    with (
        pool.connection(timeout=POOL_WAIT_SECONDS) as raw,
        raw.transaction(),
        raw.cursor() as cursor,
    ):
        return _probe(cursor)


def readiness() -> tuple[str | None, int | None]:
    """Why this server is not ready (None when it is), and the job workers alive (None when
    they could not be counted)."""
    try:
        applied, workers = probe_database()
    # One line per failed probe (probes come every few seconds): the error, no traceback.
    except (ProgrammingError, psycopg.errors.UndefinedTable) as error:  # never migrated
        logger.warning("Not ready: no migration table: %s", str(error).strip())
        return MIGRATIONS_PENDING, None
    except (DatabaseError, psycopg.Error) as error:  # refused, pool timeout, statement timeout …
        logger.warning("Not ready: the database did not answer: %s", str(error).strip())
        return DATABASE_UNAVAILABLE, None
    pending = expected_migrations() - applied
    if pending:
        logger.warning("Not ready: migrations not applied: %s", sorted(pending))
        return MIGRATIONS_PENDING, None
    if not workers and settings.READY_REQUIRE_WORKER:
        logger.warning(
            "Not ready: no job worker has sent a heartbeat within %s s", WORKER_HEARTBEAT_SECONDS
        )
        return WORKER_MISSING, workers
    return None, workers


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ready", "workers": n}, or 503 {"status": "not ready", "reason": …}
    (with "workers" when they were counted)."""
    reason, workers = readiness()
    body: dict[str, object] = {"status": "not ready", "reason": reason} if reason else {}
    body.setdefault("status", "ready")
    if workers is not None:
        body["workers"] = workers
    return JsonResponse(body, status=503 if reason else 200)
