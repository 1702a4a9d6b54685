"""manage.py delete_old_patrol_tracks [--days N]: delete patrol tracks past their retention."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patrols.retention import delete_old_tracks


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation.
    help = (
        "Delete the GPS points and lines of patrols that ended more than --days ago (default "
        "PATROL_TRACK_RETENTION_DAYS, 90), keeping their figures and freezing their months' "
        "coverage. The job runner runs it daily (patrols/tasks.py)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        if days is None:
            days = int(settings.PATROL_TRACK_RETENTION_DAYS)
        if days < 0:
            raise CommandError("--days cannot be negative.")
        stripped = delete_old_tracks(days=days)  # type: ignore[arg-type]
        self.stdout.write(f"Deleted the tracks of {stripped} patrols older than {days} days.")
