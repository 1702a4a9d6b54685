"""manage.py expire_offers: expire unanswered offers and re-offer their matters (for cron)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gridmap.management.base import TranslatedHelpCommand
from volunteers.queries import overdue_offers
from volunteers.services import expire_offers


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Expire offers nobody answered within DISPATCH_OFFER_TIMEOUT_MINUTES and offer each "
        "matter to the next nearest free unit. Idempotent and safe to run every minute, also "
        "while people act on assignments."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        # argparse formats the description with re, which refuses a lazy string (--help crashed).
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("count the offers that would expire and change nothing"),
        )

    def handle(self, *args: object, **options: object) -> None:
        minutes = settings.DISPATCH_OFFER_TIMEOUT_MINUTES
        if options["dry_run"]:
            count = overdue_offers(timezone.now()).count()
            message = ngettext(
                "Dry run: %(count)d offer is older than %(minutes)d minutes and would expire.",
                "Dry run: %(count)d offers are older than %(minutes)d minutes and would expire.",
                count,
            )
        else:
            count = expire_offers()
            message = ngettext(
                "%(count)d offer older than %(minutes)d minutes expired; its matter went to the "
                "next free unit, if any.",
                "%(count)d offers older than %(minutes)d minutes expired; their matters went to "
                "the next free unit, if any.",
                count,
            )
        self.stdout.write(message % {"count": count, "minutes": minutes})
