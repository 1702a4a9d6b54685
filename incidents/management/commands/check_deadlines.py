"""manage.py check_deadlines: escalate overdue open matters to the parent center (for cron)."""

from __future__ import annotations

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import TranslatedHelpCommand
from incidents.services import escalate_overdue


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Escalate open matters past their due or report-back time to the parent center and mark "
        "them. Idempotent: a matter is escalated once per deadline, so it is safe to run often."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("report what would be escalated and change nothing"),
        )

    def handle(self, *args: object, **options: object) -> None:
        report = escalate_overdue(dry_run=bool(options["dry_run"]))
        if int(options["verbosity"]) >= 2:  # type: ignore[call-overload]
            for move in report.moves:
                self.stdout.write(
                    _("matter %(id)s: %(from)s → %(to)s")
                    % {"id": move.incident_id, "from": move.from_unit, "to": move.to_unit}
                )
        if report.dry_run:
            summary = _(
                "Dry run: %(overdue)d overdue open matters; %(escalated)d would be escalated."
            )
        else:
            summary = _("%(overdue)d overdue open matters; %(escalated)d escalated now.")
        self.stdout.write(summary % {"overdue": report.overdue, "escalated": report.escalated})
