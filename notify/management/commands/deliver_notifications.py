"""manage.py deliver_notifications: send the pending notifications that are due (manual runs)."""

from __future__ import annotations

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import TranslatedHelpCommand
from notify.delivery import deliver_due


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Send due pending notifications; failed sends are retried later with back-off. Safe to "
        "run beside the worker: a notification is claimed by one sender only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=10_000, help=_("send at most this many notifications")
        )

    def handle(self, *args: object, **options: object) -> None:
        report = deliver_due(limit=int(options["limit"]))  # type: ignore[call-overload]
        self.stdout.write(
            _("%(sent)d sent, %(retried)d to retry, %(failed)d failed.")
            % {"sent": report.sent, "retried": report.retried, "failed": report.failed}
        )
