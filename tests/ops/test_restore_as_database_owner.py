"""Production restores run as the database's own role, which is no superuser (docs/deploy.md:
pingan-database.sql creates PostGIS and pgRouting as the superuser). A backup restores into such a
database, empty or with --force over a filled one, and the extensions stay the superuser's."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.servers import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def owned_database() -> Iterator[str]:
    """A role without superuser owning a database with PostGIS made by the superuser; its URL."""
    name = f"pingan_owner_{uuid.uuid4().hex[:8]}"
    server = connection.settings_dict
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", server["HOST"], "-U", server["USER"]]
    subprocess.run(
        [*psql, "-d", "postgres", "-c", f"CREATE ROLE {name} LOGIN NOSUPERUSER"], check=True
    )
    subprocess.run(
        [*psql, "-d", "postgres", "-c", f"CREATE DATABASE {name} OWNER {name}"], check=True
    )
    for extension in ("postgis", "pgrouting"):  # as deploy/templates/pingan-database.sql does
        subprocess.run([*psql, "-d", name, "-c", f"CREATE EXTENSION {extension}"], check=True)
    try:
        yield f"postgis://{name}@{quote(server['HOST'], safe='')}/{name}"
    finally:
        subprocess.run(
            [*psql, "-d", "postgres", "-c", f"DROP DATABASE {name} WITH (FORCE)"], check=True
        )
        subprocess.run([*psql, "-d", "postgres", "-c", f"DROP ROLE {name}"], check=True)


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.django_db
def test_the_database_owner_restores_a_backup_and_restores_it_again_with_force(
    owned_database, tmp_path
):
    made = manage("backup", DATABASE_URL=database_url(), BACKUP_DIR=str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    archive = made.stdout.strip()
    target = {"DATABASE_URL": owned_database, "MEDIA_ROOT": str(tmp_path / "media")}

    first = manage("restore", archive, **target)
    assert first.returncode == 0, first.stderr
    assert "triggers, constraints and indexes equal to the backup" in first.stdout

    again = manage("restore", archive, "--force", **target)
    assert again.returncode == 0, again.stderr
    assert "equal to the backup" in again.stdout
    owner = subprocess.run(
        ["psql", "-X", "-At", owned_database.replace("postgis://", "postgresql://"), "-c",
         "SELECT r.rolsuper FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner"
         " WHERE e.extname = 'postgis'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert owner.stdout.strip() == "t"  # still the superuser's PostGIS
