"""manage.py undo_import ID: remove a ledger import's matters while nothing links to them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.choices import ImportKind
from onboarding.ledger_write import UndoError, undo_import
from onboarding.models import ImportBatch


class Command(BaseCommand):
    help = gettext_lazy(
        "Undo a ledger import as a whole (its matters are deleted), while none of its matters "
        "has been worked on since. The import stays recorded, marked undone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch", type=int, nargs="?", help=_("the number of the import"))
        parser.add_argument(
            "--last",
            action="store_true",
            help=_("the latest ledger import that brought matters in, not yet undone"),
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["last"]:
            batch = (
                ImportBatch.objects.filter(
                    kind=ImportKind.LEDGER, undone_at__isnull=True, created__gt=0
                )
                .order_by("-pk")
                .first()
            )
            if batch is None:
                raise CommandError(_("No ledger import to undo."))
        else:
            batch = ImportBatch.objects.filter(pk=options["batch"]).first()
            if batch is None:
                raise CommandError(_("No import %(id)s.") % {"id": options["batch"]})
        try:
            count = undo_import(batch=batch)
        except UndoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Import %(id)d undone: %(count)d matters removed.") % {"id": batch.pk, "count": count}
        )
