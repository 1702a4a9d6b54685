"""Readiness probe ``/readyz``: may this server take requests now?

``/healthz`` (config/views.py) is the liveness probe: it answers while the process runs, database
or not, so a supervisor restarts only a server that hangs. ``/readyz`` says whether requests can
be served: the database answers within a short statement timeout, and it holds every migration of
the code this process runs. A load balancer sends traffic only to ready servers; during an
upgrade a new server is not ready until `manage.py migrate` has run.

The answer carries the reason and nothing else (no error text, host or migration names): it is
public, like ``/healthz``. Failures are logged with their detail for the operator.
"""

from __future__ import annotations

import functools
import logging

import psycopg
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


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """The leaf migrations of the code this process runs: (app, name) pairs.

    Reading the graph imports every migration module, so it is done once per process; the code
    on disk does not change under a running server (an upgrade restarts it).
    """
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _read_migrations(cursor) -> set[tuple[str, str]]:
    # SET LOCAL: the timeout ends with this transaction, the connection goes back unchanged.
    cursor.execute(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")
    cursor.execute("SELECT app, name FROM django_migrations")
    return {(app, name) for app, name in cursor.fetchall()}


def applied_migrations() -> set[tuple[str, str]]:
    """The migrations the database records, read under a short statement timeout.

    This one query is also the database check: it needs a connection as a request gets one
    (from the server's pool, DB_POOL) and an answer in time. Raises psycopg's or Django's
    database errors.
    """
    pool = connection.pool if connection.vendor == "postgresql" else None
    if pool is None or connection.connection is not None:
        # Persistent connections (DB_POOL=false), or one this thread holds already (tests).
        with transaction.atomic(), connection.cursor() as cursor:
            return _read_migrations(cursor)
    pool.open()  # Django opens it on the first request; a probe may come first
    with (
        pool.connection(timeout=POOL_WAIT_SECONDS) as raw,
        raw.transaction(),
        raw.cursor() as cursor,
    ):
        return _read_migrations(cursor)


def not_ready_reason() -> str | None:
    """Why this server is not ready, or None when it is."""
    try:
        applied = applied_migrations()
    # One line per failed probe (probes come every few seconds): the error, no traceback.
    except (ProgrammingError, psycopg.errors.UndefinedTable) as error:  # never migrated
        logger.warning("Not ready: no migration table: %s", str(error).strip())
        return MIGRATIONS_PENDING
    except (DatabaseError, psycopg.Error) as error:  # refused, pool timeout, statement timeout …
        logger.warning("Not ready: the database did not answer: %s", str(error).strip())
        return DATABASE_UNAVAILABLE
    pending = expected_migrations() - applied
    if pending:
        logger.warning("Not ready: migrations not applied: %s", sorted(pending))
        return MIGRATIONS_PENDING
    return None


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ready"}, or 503 {"status": "not ready", "reason": …}."""
    reason = not_ready_reason()
    if reason:
        return JsonResponse({"status": "not ready", "reason": reason}, status=503)
    return JsonResponse({"status": "ready"})
