"""manage.py prune_access_log [--days N]: remove access-log rows older than the retention."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.audit import RETENTION_FLOOR_DAYS
from accounts.models import AccessLog


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Remove access-log rows older than --days (default ACCESS_LOG_RETENTION_DAYS, 180); "
        "fewer than 180 days is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        if days is None:
            days = int(settings.ACCESS_LOG_RETENTION_DAYS)
        if days < RETENTION_FLOOR_DAYS:  # type: ignore[operator]
            raise CommandError(
                f"Refused: the access log is kept at least {RETENTION_FLOOR_DAYS} days "
                f"(asked for {days})."
            )
        cutoff = timezone.now() - dt.timedelta(days=days)  # type: ignore[arg-type]
        removed, _by_model = AccessLog.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"Removed {removed} access-log rows older than {days} days.")
