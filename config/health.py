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

from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# A database slower than this to read a hundred rows is not ready to serve pages.
STATEMENT_TIMEOUT_MS = 2000
DATABASE_UNAVAILABLE = "database unavailable"
MIGRATIONS_PENDING = "migrations pending"


@functools.cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """The leaf migrations of the code this process runs: (app, name) pairs.

    Reading the graph imports every migration module, so it is done once per process; the code
    on disk does not change under a running server (an upgrade restarts it).
    """
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def applied_migrations() -> set[tuple[str, str]]:
    """The migrations the database records, read under a short statement timeout.

    This one query is also the database check: it needs a connection (from the pool, as a
    request would get one) and an answer in time. SET LOCAL keeps the timeout to this
    transaction, so the pooled connection goes back unchanged.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true)", [str(STATEMENT_TIMEOUT_MS)]
        )
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def not_ready_reason() -> str | None:
    """Why this server is not ready, or None when it is."""
    try:
        applied = applied_migrations()
    except ProgrammingError:  # no django_migrations table: a database never migrated
        logger.warning("Not ready: the database has no migration table.", exc_info=True)
        return MIGRATIONS_PENDING
    except DatabaseError:
        logger.warning("Not ready: the database did not answer.", exc_info=True)
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
