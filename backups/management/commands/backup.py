"""manage.py backup: write one archive of the database and the media; print its path."""

from __future__ import annotations

from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError

from backups.archive import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format), MEDIA_ROOT and a manifest into one "
        "timestamped archive under BACKUP_DIR; prints the archive's path."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, help="write here instead of BACKUP_DIR")

    def handle(self, *args, **options) -> None:
        def progress(message: str) -> None:
            self.stderr.write(message)

        try:
            path = create_backup(directory=options["dir"], progress=progress)
        except (BackupError, psycopg.Error) as error:
            raise CommandError(f"backup failed, no archive written: {error}") from error
        # Only the path on standard output, for scripts: backup=$(manage.py backup)
        self.stdout.write(str(path))
