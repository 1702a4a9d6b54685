"""Fixtures for backup and restore: the incidents suite's people and matters, a scratch database."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from backups import postgres


@pytest.fixture(autouse=True)
def backups_environment(fast_passwords, category_table) -> None:
    """The incidents suite's people and matters (tests/fixtures/): fast hashing, the categories."""


@pytest.fixture
def scratch_database():
    """A second, empty database on the same cluster (with PostGIS, as `make db` makes them).

    Created for the test and dropped after it, whatever happened.
    """
    name = f"test_pingan_restore_{uuid.uuid4().hex[:8]}"
    with postgres.connect("postgres", autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    with postgres.connect(name, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")
    yield name
    with postgres.connect("postgres", autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(psycopg.sql.Identifier(name))
        )
