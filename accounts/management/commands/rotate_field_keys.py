"""manage.py rotate_field_keys [--rehash] [--dry-run]: personal data under the new key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.crypto import UndecryptableValue
from accounts.key_rotation import RotationReport, encrypted_columns, rotate_column


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Re-encrypt every encrypted value still under an older key of FIELD_ENCRYPTION_KEYS "
        "with the first key; --rehash also recomputes the search hashes with FIELD_HASH_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="recompute the keyed search hashes (after FIELD_HASH_KEY changed)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change, change nothing"
        )

    def handle(self, *args: object, **options: object) -> None:
        dry_run, rehash = bool(options["dry_run"]), bool(options["rehash"])
        self.verbosity = int(options["verbosity"])
        stale_total = 0
        for column in encrypted_columns():
            try:
                report = rotate_column(
                    column, rehash=rehash, dry_run=dry_run, progress=self._progress
                )
            except UndecryptableValue as error:
                raise CommandError(str(error)) from error
            stale_total += report.reencrypted
            self.stdout.write(self._summary(report, dry_run=dry_run))
        if dry_run:
            self.stdout.write(
                _("%(count)d values are under an older key.") % {"count": stale_total}
            )
        else:
            self.stdout.write(
                _("Done: every value is under the first key; older keys may now be removed.")
            )

    def _progress(self, report: RotationReport) -> None:
        if self.verbosity >= 2:
            self.stdout.write(
                _("%(column)s: %(values)d values read")
                % {
                    "column": report.column,
                    "values": report.values,
                }
            )

    def _summary(self, report: RotationReport, *, dry_run: bool) -> str:
        template = (
            _("%(column)s: %(values)d values, %(stale)d under an older key")
            if dry_run
            else _("%(column)s: %(values)d values, %(stale)d re-encrypted, %(rehashed)d re-hashed")
        )
        return template % {
            "column": report.column,
            "values": report.values,
            "stale": report.reencrypted,
            "rehashed": report.rehashed,
        }
