"""The database side of a backup: connections, the server's own pg_dump/pg_restore, an inventory.

Everything here talks to PostgreSQL directly with psycopg (not Django's connection), so that a
restore can check and fill another database than the configured one (``restore --dbname``) and a
backup can read its counts inside the very snapshot pg_dump writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection

# libpq variables a subprocess would otherwise inherit from the caller's shell: the tools must
# reach exactly the database the settings (or --dbname) name.
_LIBPQ_OVERRIDES = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE")
_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}

# Tables, schemas and objects that belong to the database rather than to the application:
# system schemas and anything an extension (PostGIS) owns, which CREATE EXTENSION recreates.
_USER_TABLES = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""
# Each object as (table, name, signature). PostgreSQL does not print expressions back exactly as
# a restore reads them (``IN (…)`` lists and nested ORs come back spelled differently), so the
# signature holds what a dump cannot change without breaking the object: its function, events,
# columns, kind, references and flags, and whether it has a condition, not the condition's text.
_COLUMNS = """(SELECT string_agg(coalesce(a.attname, 'expr'), ',' ORDER BY u.ord)
  FROM unnest({attnums}) WITH ORDINALITY AS u(attnum, ord)
  LEFT JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = u.attnum)"""
_TRIGGERS = f"""
SELECT n.nspname || '.' || c.relname, t.tgname, concat_ws(' ',
  'function=' || t.tgfoid::regprocedure, 'type=' || t.tgtype, 'enabled=' || t.tgenabled::text,
  'columns=' || coalesce({_COLUMNS.format(attnums="t.tgattr::int2[]", rel="t.tgrelid")}, ''),
  'when=' || (t.tgqual IS NOT NULL), 'old_table=' || coalesce(t.tgoldtable, ''),
  'new_table=' || coalesce(t.tgnewtable, ''))
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND (n.nspname, c.relname) IN (SELECT * FROM user_tables)
"""
_CONSTRAINTS = f"""
SELECT n.nspname || '.' || c.relname, k.conname, concat_ws(' ',
  'type=' || k.contype::text,
  'columns=' || coalesce({_COLUMNS.format(attnums="k.conkey", rel="k.conrelid")}, ''),
  'validated=' || k.convalidated,
  CASE WHEN k.contype IN ('p', 'u', 'f') THEN pg_get_constraintdef(k.oid) END)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (n.nspname, c.relname) IN (SELECT * FROM user_tables)
"""
_INDEXES = f"""
SELECT n.nspname || '.' || c.relname, i.relname, concat_ws(' ',
  'method=' || am.amname, 'unique=' || x.indisunique, 'primary=' || x.indisprimary,
  'valid=' || x.indisvalid,
  'columns=' || {_COLUMNS.format(attnums="x.indkey::int2[]", rel="x.indrelid")},
  'expressions=' || (x.indexprs IS NOT NULL), 'partial=' || (x.indpred IS NOT NULL))
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (n.nspname, c.relname) IN (SELECT * FROM user_tables)
"""


class BackupError(Exception):
    """A backup or restore could not be done; the message says what and why."""


def _settings_dict() -> dict[str, Any]:
    return connection.settings_dict


def database_name() -> str:
    """The configured database's name."""
    return str(_settings_dict()["NAME"])


def connect(dbname: str | None = None, **kwargs: Any) -> psycopg.Connection:
    """A new psycopg connection to the configured server, to ``dbname`` or the configured one."""
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if isinstance(value, (str, int)) and key != "prepare_threshold"
    }
    if dbname:
        params["dbname"] = dbname
    try:
        return psycopg.connect(**params, **kwargs)
    except psycopg.OperationalError as error:
        raise BackupError(
            f"cannot connect to database {params.get('dbname')!r}: {str(error).strip()}"
        ) from error


def tool_env(dbname: str | None = None) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the caller's, with the settings' libpq values.

    The password travels in PGPASSWORD, never on a command line (visible in ``ps``) or a log.
    """
    db = _settings_dict()
    env = {key: value for key, value in os.environ.items() if key not in _LIBPQ_OVERRIDES}
    values = {
        "PGDATABASE": dbname or db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
    }
    for option, variable in _OPTION_ENV.items():
        values[variable] = (db.get("OPTIONS") or {}).get(option)
    env.update({key: str(value) for key, value in values.items() if value not in (None, "")})
    return env


def server_major(conn: psycopg.Connection) -> int:
    """The server's major version (15 for 15.18)."""
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def tool(name: str, major: int) -> str:
    """The path of pg_dump/pg_restore matching a server of version ``major``.

    PG_BINDIR (setting) first, then Debian's /usr/lib/postgresql/<major>/bin (the project's own
    cluster runs from there), then PATH; a tool older than the server is refused, as pg_dump
    itself would refuse the server.
    """
    candidates = [getattr(settings, "PG_BINDIR", ""), f"/usr/lib/postgresql/{major}/bin"]
    for folder in candidates:
        if folder and (Path(folder) / name).is_file():
            path = str(Path(folder) / name)
            break
    else:
        path = shutil.which(name) or ""
    if not path:
        raise BackupError(
            f"{name} not found: install the PostgreSQL {major} client (postgresql-client-{major}) "
            "or set PG_BINDIR"
        )
    version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    if found is None or int(found.group(1)) < major:
        raise BackupError(
            f"{path} is {version.strip() or 'of unknown version'}, older than the server "
            f"(PostgreSQL {major}): set PG_BINDIR to the server's binaries"
        )
    return path


def user_tables(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(schema, table) of every application table: not system, not an extension's."""
    return [(row[0], row[1]) for row in conn.execute(_USER_TABLES)]


def tables_with_rows(conn: psycopg.Connection, tables: list[tuple[str, str]]) -> list[str]:
    """The "schema.table" names among ``tables`` that hold at least one row."""
    found = []
    for schema, table in tables:
        query = psycopg.sql.SQL("SELECT EXISTS (SELECT FROM {}.{})").format(
            psycopg.sql.Identifier(schema), psycopg.sql.Identifier(table)
        )
        if conn.execute(query).fetchone()[0]:
            found.append(f"{schema}.{table}")
    return found


def inventory(conn: psycopg.Connection) -> dict[str, Any]:
    """Rows per table and every trigger, constraint and index, as restore compares them.

    Names are printed under the connection's search_path; backup and restore both read them
    with the server default, so equal objects print equally.
    """
    tables = user_tables(conn)
    counts = {}
    for schema, table in tables:
        query = psycopg.sql.SQL("SELECT count(*) FROM {}.{}").format(
            psycopg.sql.Identifier(schema), psycopg.sql.Identifier(table)
        )
        counts[f"{schema}.{table}"] = conn.execute(query).fetchone()[0]

    def listed(query: str) -> list[list[str]]:
        with_tables = f"WITH user_tables AS ({_USER_TABLES}) {query}"
        return sorted([list(row) for row in conn.execute(with_tables)])

    return {
        "tables": counts,
        "triggers": listed(_TRIGGERS),
        "constraints": listed(_CONSTRAINTS),
        "indexes": listed(_INDEXES),
    }


def versions(conn: psycopg.Connection) -> dict[str, str | None]:
    """The server's PostgreSQL and PostGIS versions."""
    postgis = conn.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
    ).fetchone()
    return {
        "postgresql": conn.execute("SHOW server_version").fetchone()[0],
        "postgis": postgis[0] if postgis else None,
    }


def applied_migrations(conn: psycopg.Connection) -> list[list[str]]:
    """[app, name] of every applied migration, sorted; empty before the first migrate."""
    exists = conn.execute("SELECT to_regclass('public.django_migrations')").fetchone()[0]
    if exists is None:
        return []
    rows = conn.execute("SELECT app, name FROM public.django_migrations ORDER BY app, name")
    return [list(row) for row in rows]


def wipe(conn: psycopg.Connection) -> list[str]:
    """Drop every application schema (public included, recreated empty); returns their names.

    Dropping public drops the PostGIS extension with it: the dump recreates it. A role that is
    no superuser could not: it drops only what it owns.
    """
    schemas = [
        row[0]
        for row in conn.execute(
            """
            SELECT nspname FROM pg_namespace n
            WHERE nspname NOT IN ('pg_catalog', 'information_schema')
              AND nspname NOT LIKE 'pg\\_%'
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                              AND d.objid = n.oid AND d.deptype = 'e')
            ORDER BY 1
            """
        )
    ]
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not superuser.fetchone()[0]:
        # A production database's own role (docs/deploy.md) may not create PostGIS again: drop
        # what it owns, keep the extension a superuser made (and public, which it does not own).
        conn.execute("DROP OWNED BY CURRENT_USER CASCADE")
        return schemas
    for schema in schemas:
        conn.execute(
            psycopg.sql.SQL("DROP SCHEMA {} CASCADE").format(psycopg.sql.Identifier(schema))
        )
    conn.execute("CREATE SCHEMA IF NOT EXISTS public")
    return schemas


def run(command: list[str], *, dbname: str | None = None) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client tool against ``dbname`` (the configured database)."""
    return subprocess.run(command, env=tool_env(dbname), capture_output=True, text=True)
