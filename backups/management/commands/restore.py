"""manage.py restore FILE: restore a backup archive into an empty database and check the copy."""

from __future__ import annotations

from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError
from backups.restore import RestoreMismatchError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into the configured (empty) database "
        "and MEDIA_ROOT, then compare rows per table, triggers, constraints and indexes with "
        "its manifest."
    )
    # The target may be empty or of another version: checks that read it would only get in the way.
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar written by manage.py backup")
        parser.add_argument(
            "--dbname", help="restore into this database on the same server instead"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="drop everything in a non-empty target database first (its data is lost)",
        )

    def handle(self, *args, **options) -> None:
        def progress(message: str) -> None:
            self.stderr.write(message)

        try:
            result = restore_backup(
                archive=options["archive"],
                dbname=options["dbname"],
                force=options["force"],
                progress=progress,
            )
        except RestoreMismatchError as error:
            raise CommandError(f"RESTORE DOES NOT MATCH THE BACKUP: {error}") from error
        except (BackupError, psycopg.Error) as error:
            raise CommandError(f"restore failed: {error}") from error
        for note in result.notes:
            self.stderr.write(self.style.WARNING(f"note: {note}"))
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {options['archive']} into database {result.database}: "
                f"{result.tables} tables, {result.rows} rows, {result.media_files} media files, "
                f"triggers, constraints and indexes equal to the backup "
                f"({result.seconds:.1f} s)"
            )
        )
