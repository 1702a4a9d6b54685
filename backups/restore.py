"""Restore a backup archive into an empty database and prove the copy equals the original.

Steps, each stopping everything when it fails: unpack the archive and check its parts against
the manifest's checksums; refuse a target database (or MEDIA_ROOT) that holds anything, unless
forced; pg_restore in one transaction (a failure leaves the target as it was); unpack the media;
then compare rows per table, triggers, constraints and indexes with the manifest.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from backups import postgres
from backups.archive import DUMP, MEDIA, BackupError, Progress, unpack


class RestoreMismatchError(BackupError):
    """The restored database differs from the manifest (the restore itself ran)."""


@dataclass
class RestoreResult:
    """What a restore did, for the command's summary."""

    database: str
    tables: int
    rows: int
    media_files: int
    seconds: float
    notes: list[str] = field(default_factory=list)


def _occupied_media(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def _restore_list(pg_restore: str, dump: Path) -> Path:
    """The dump's table of contents without what belongs to PostGIS, as a --use-list file.

    A production database's role owns its database but is no superuser (docs/deploy.md), and
    PostGIS is created beforehand by one: the role may not comment on the extension, nor write
    its spatial_ref_sys table. Neither is the application's: the comment is PostGIS's own text,
    and the table's dumped rows are only SRIDs added to PostGIS's (the project adds none). The
    dump's CREATE EXTENSION IF NOT EXISTS is fine for that role.
    """
    listing = subprocess.run(
        [pg_restore, "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    skipped = (" COMMENT - EXTENSION ", " TABLE DATA public spatial_ref_sys ")
    kept = [line for line in listing.splitlines() if not any(s in line for s in skipped)]
    path = dump.with_name("restore.list")
    path.write_text("\n".join(kept) + "\n")
    return path


def differences(manifest: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every way ``actual`` (postgres.inventory of the restored copy) differs from the manifest."""
    found = []
    expected_tables, actual_tables = manifest["tables"], actual["tables"]
    for table in sorted(set(expected_tables) | set(actual_tables)):
        want, got = expected_tables.get(table), actual_tables.get(table)
        if want != got:
            found.append(f"table {table}: {want} rows in the backup, {got} restored")
    for kind in ("triggers", "constraints", "indexes"):
        want = {tuple(row) for row in manifest[kind]}
        got = {tuple(row) for row in actual[kind]}
        one = kind[:-1] if kind != "indexes" else "index"
        found += [f"{one} missing on {t}: {n} ({d})" for t, n, d in sorted(want - got)]
        found += [f"{one} not in the backup on {t}: {n} ({d})" for t, n, d in sorted(got - want)]
    return found


def restore_backup(
    *,
    archive: Path,
    dbname: str | None = None,
    force: bool = False,
    progress: Progress = lambda _m: None,
) -> RestoreResult:
    """Restore ``archive`` into ``dbname`` (the configured database) and MEDIA_ROOT.

    Raises BackupError before changing anything when the archive is damaged or the target is not
    empty (without ``force``), and RestoreMismatchError, naming every difference, when the restored
    copy does not equal the manifest.
    """
    started = time.monotonic()
    target = dbname or postgres.database_name()
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="pingan-restore-") as work:
        work_dir = Path(work)
        manifest = unpack(archive, work_dir, progress)
        with postgres.connect(target, autocommit=True) as conn:
            tables = postgres.user_tables(conn)
            media_files = _occupied_media(media_root)
            if (tables or media_files) and not force:
                reasons = []
                if tables:
                    filled = postgres.tables_with_rows(conn, tables)
                    names = ", ".join(filled[:5]) + (", …" if len(filled) > 5 else "")
                    reasons.append(
                        f"database {target} is not empty: it has {len(tables)} tables, "
                        f"{len(filled)} of them holding rows ({names or 'none'})"
                    )
                if media_files:
                    reasons.append(f"MEDIA_ROOT {media_root} already holds {media_files} files")
                raise BackupError(
                    "; ".join(reasons) + ". Restore into an empty database, or pass --force "
                    "to drop everything in it first (its data is lost)."
                )
            wiped = bool(tables)
            if wiped:
                dropped = postgres.wipe(conn)
                progress(f"--force: dropped schemas {', '.join(dropped)} of database {target}")
            pg_restore = postgres.tool("pg_restore", postgres.server_major(conn))
        progress(f"restoring into database {target} with {pg_restore} …")
        step = time.monotonic()
        # One transaction: a failed restore leaves the target as it was (empty). No owners or
        # grants: the restoring role owns everything, whatever role took the backup.
        done = postgres.run(
            [
                pg_restore,
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={_restore_list(pg_restore, work_dir / DUMP)}",
                f"--dbname={target}",
                str(work_dir / DUMP),
            ],
            dbname=target,
        )
        if done.returncode != 0:
            left = "empty (--force had dropped its content)" if wiped else "as it was"
            raise BackupError(
                f"pg_restore failed (exit {done.returncode}), nothing of it was kept: database "
                f"{target} is {left}, no media were unpacked: {done.stderr.strip()}"
            )
        progress(f"database restored in {time.monotonic() - step:.1f} s")
        try:
            media_root.mkdir(parents=True, exist_ok=True)
            with tarfile.open(work_dir / MEDIA, "r:") as tar:
                archived = [member.name for member in tar.getmembers() if member.isfile()]
                tar.extractall(media_root, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BackupError(
                f"database {target} was restored, but the media could not be unpacked into "
                f"{media_root} ({error}): photos are missing; fix that and restore again "
                "with --force"
            ) from error
        missing_media = [name for name in archived if not (media_root / name).is_file()]
        progress(f"media unpacked into {media_root}")
    progress("comparing rows, triggers, constraints and indexes with the manifest …")
    with postgres.connect(target, autocommit=True) as conn:
        actual = postgres.inventory(conn)
        applied = {tuple(row) for row in postgres.applied_migrations(conn)}
    found = differences(manifest, actual)
    if missing_media or len(archived) != manifest["media"]["files"]:
        found.append(
            f"media: {manifest['media']['files']} files in the backup, {len(archived)} in its "
            f"media part, {len(missing_media)} of them missing from {media_root}"
        )
    if found:
        raise RestoreMismatchError(
            f"the restored database {target} differs from the backup "
            f"({len(found)} differences):\n  " + "\n  ".join(found)
        )
    return RestoreResult(
        database=target,
        tables=len(actual["tables"]),
        rows=sum(actual["tables"].values()),
        media_files=manifest["media"]["files"],
        seconds=time.monotonic() - started,
        notes=_migration_notes(manifest, applied),
    )


def _migration_notes(manifest: dict[str, Any], applied: set[tuple[str, str]]) -> list[str]:
    """What the operator must do when this code and the restored schema are not at one version."""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    notes = []
    unknown = sorted(applied - on_disk)
    if unknown:
        commit = manifest["app"].get("git_commit") or manifest["app"]["version"]
        notes.append(
            f"the backup has {len(unknown)} migrations this code does not know (e.g. "
            f"{'.'.join(unknown[0])}): it comes from newer code ({commit}); check that out"
        )
    pending = sorted(on_disk - applied)
    if pending:
        notes.append(
            f"this code has {len(pending)} migrations the backup lacks (e.g. "
            f"{'.'.join(pending[0])}): run .venv/bin/python manage.py migrate"
        )
    return notes
