"""The backup archive: one uncompressed tar holding the database dump, the media and a manifest.

    manifest.json   versions, migration state, rows per table, triggers/constraints/indexes,
                    and the SHA-256 of the two parts below (never a secret: no password, no key)
    database.dump   pg_dump --format=custom (compressed by pg_dump itself)
    media.tar       every file under MEDIA_ROOT (photos, stored briefings), paths relative to it

The dump is taken from an exported snapshot and the manifest's counts are read inside that same
snapshot, so they describe exactly the rows in the dump even while the site keeps writing.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

from backups import postgres
from backups.postgres import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar"
PARTS = (DUMP, MEDIA)

Progress = Callable[[str], None]


def backup_dir() -> Path:
    """BACKUP_DIR, by default var/backups in the project."""
    return Path(settings.BACKUP_DIR)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _size(path: Path) -> int:
    return path.stat().st_size


def app_version() -> dict[str, str | None]:
    """The project's version (pyproject.toml) and git commit, when this is a git checkout."""
    base = Path(settings.BASE_DIR)
    version = tomllib.loads((base / "pyproject.toml").read_text())["project"]["version"]
    try:
        commit = subprocess.run(
            ["git", "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {"version": version, "git_commit": commit or None}


def _pack_media(target: Path) -> dict[str, int]:
    """Write MEDIA_ROOT's files into ``target`` (a tar); returns the number of files and bytes."""
    root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    size = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
            size += path.stat().st_size
    return {"files": len(files), "file_bytes": size}


def _dump(conn: psycopg.Connection, target: Path, progress: Progress) -> str:
    """pg_dump the snapshot of ``conn``'s open transaction into ``target``; returns its version."""
    pg_dump = postgres.tool("pg_dump", postgres.server_major(conn))
    snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
    started = time.monotonic()
    progress(f"dumping database {postgres.database_name()} with {pg_dump} …")
    done = postgres.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()}")
    progress(
        f"database dumped: {target.stat().st_size / 1e6:.1f} MB in "
        f"{time.monotonic() - started:.1f} s"
    )
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout
    return version.strip()


def create_backup(*, directory: Path | None = None, progress: Progress = lambda _m: None) -> Path:
    """Write one timestamped archive into ``directory`` (BACKUP_DIR) and return its path.

    The archive is written under a hidden temporary name and renamed when complete: a failed
    backup leaves no archive behind (BackupError says why). Archives are readable by their owner
    only: they hold the parties' personal data, encrypted with FIELD_ENCRYPTION_KEYS, which the
    archive does not contain.
    """
    from django.db.migrations.loader import MigrationLoader

    directory = directory or backup_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"pingan-backup-{stamp}.tar"
    if final.exists():
        raise BackupError(f"{final} exists already: wait a second and try again")
    started = time.monotonic()
    # The parts are staged next to the archives (a hidden 0700 folder), not in /tmp, which is often
    # small: the backup needs about twice its size there while it is written.
    with tempfile.TemporaryDirectory(prefix=".pingan-backup-", dir=directory) as work:
        work_dir = Path(work)
        # Read-only, repeatable read: the counts below and pg_dump see one and the same snapshot.
        with postgres.connect(autocommit=True) as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            dump_version = _dump(conn, work_dir / DUMP, progress)
            progress("counting rows and listing triggers, constraints, indexes …")
            state = postgres.inventory(conn)
            applied = postgres.applied_migrations(conn)
            server = postgres.versions(conn)
        progress(f"packing media from {settings.MEDIA_ROOT} …")
        media = _pack_media(work_dir / MEDIA)
        progress(f"media packed: {media['files']} files, {media['file_bytes'] / 1e6:.1f} MB")
        on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app": app_version(),
            "database": {"name": postgres.database_name(), **server, "pg_dump": dump_version},
            "migrations": {
                "applied": applied,
                "pending_in_code": sorted(
                    [list(key) for key in on_disk - {tuple(row) for row in applied}]
                ),
            },
            **state,
            "media": {"root": str(settings.MEDIA_ROOT), **media},
            "parts": {
                name: {"sha256": sha256_of(work_dir / name), "bytes": _size(work_dir / name)}
                for name in PARTS
            },
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = directory / f".{final.name}.partial"
        try:
            # Created 0600 from the first byte, whatever the umask: it holds personal data.
            partial.unlink(missing_ok=True)  # a crashed run's leftover, with whatever mode
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(descriptor, "wb") as handle,
                tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                for name in (MANIFEST, *PARTS):
                    tar.add(work_dir / name, arcname=name)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    progress(
        f"backup written: {final} ({final.stat().st_size / 1e6:.1f} MB, "
        f"{time.monotonic() - started:.1f} s)"
    )
    return final


def unpack(archive: Path, into: Path, progress: Progress = lambda _m: None) -> dict[str, Any]:
    """Extract an archive's three members into ``into`` and check them against the manifest.

    Returns the manifest. Raises BackupError when a member is missing or unexpected, or a part's
    SHA-256 differs from the manifest's (a damaged or altered archive): nothing is restored then.
    """
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    progress(f"reading {archive} …")
    try:
        with tarfile.open(archive, "r:") as tar:
            members = {member.name: member for member in tar.getmembers()}
            expected = {MANIFEST, *PARTS}
            if set(members) != expected or not all(m.isfile() for m in members.values()):
                raise BackupError(
                    f"{archive} is not a Pingan Grid backup: it holds {sorted(members)}, "
                    f"expected {sorted(expected)}"
                )
            for name in expected:
                tar.extract(members[name], into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive} cannot be read as a backup archive: {error}") from error
    try:
        manifest = json.loads((into / MANIFEST).read_text())
        parts = manifest["parts"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{archive}: the manifest is damaged ({error})") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: manifest format {manifest.get('format')!r} is not {FORMAT}")
    for part in PARTS:
        actual = sha256_of(into / part)
        if actual != parts.get(part, {}).get("sha256"):
            raise BackupError(
                f"{archive}: {part} does not match the manifest's checksum "
                f"(SHA-256 {actual}, manifest {parts.get(part, {}).get('sha256')}): "
                "the archive is damaged or was altered; nothing was restored"
            )
    progress("checksums match the manifest")
    return manifest
