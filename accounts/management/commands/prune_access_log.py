"""manage.py prune_access_log [--days N]: remove access-log rows older than the retention."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.audit import RetentionTooShortError, prune_access_log


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Remove access-log rows older than --days (default ACCESS_LOG_RETENTION_DAYS, 180); "
        "fewer than 180 days is refused. The job runner runs it daily (accounts/tasks.py)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        if days is None:
            days = int(settings.ACCESS_LOG_RETENTION_DAYS)
        try:
            removed = prune_access_log(days=days)  # type: ignore[arg-type]
        except RetentionTooShortError as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"Removed {removed} access-log rows older than {days} days.")
