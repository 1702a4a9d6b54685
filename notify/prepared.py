"""Statements of the dispatch hot path run as server-side prepared statements.

Django's PostgreSQL backend uses psycopg's client-side cursors (``server_side_binding`` off, the
default): the parameters are merged into the text and PostgreSQL parses and plans every statement
again. A client-side cursor also ignores ``prepare=True`` (psycopg's ClientCursor never
prepares). For the few statements that run inside every ``assign()`` — the offer's audience and
the outbox's INSERT — planning costs as much as running them, so they are prepared once per
database connection on a server-binding cursor of Django's own connection, in its transaction.

The statement still goes through Django's execute wrappers (``connection.execute_wrapper``) and
its query log (``assertNumQueries``, the debug toolbar), and database errors are Django's.
A rollback makes psycopg forget (and deallocate) what it prepared on the connection: the next
use prepares again. Behind a pooler in *transaction* mode (PgBouncer before 1.21 or without
``max_prepared_statements``) prepared statements do not work: connect to PostgreSQL directly, as
the site does by default.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence

import psycopg
from django.db import connection

# A statement is prepared when asked (prepare=True), never for having run this many times.
NEVER_BY_COUNT = 2**31 - 1


def execute_prepared(sql: str, params: Mapping[str, object] | Sequence[object]) -> psycopg.Cursor:
    """Execute ``sql`` (``%s`` / ``%(name)s`` placeholders) prepared; the cursor, to fetch from."""
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django connects with prepared statements off (OPTIONS "prepare_threshold", None). Its
        # own client-side cursors never prepare whatever the threshold; with one set, psycopg
        # prepares the statements asked for here, and no other statement is executed often
        # enough (NEVER_BY_COUNT times) to be prepared on its own.
        raw.prepare_threshold = NEVER_BY_COUNT
    cursor = psycopg.Cursor(raw)

    def run(sql: str, params: object, many: bool, context: dict) -> psycopg.Cursor:
        with connection.wrap_database_errors:
            return cursor.execute(sql, params, prepare=True)

    executor = run
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    started = time.monotonic()
    executor(sql, params, False, {"connection": connection, "cursor": cursor})
    if connection.queries_logged:
        took = time.monotonic() - started
        connection.queries_log.append({"sql": f"{sql} -- prepared", "time": f"{took:.3f}"})
    return cursor
