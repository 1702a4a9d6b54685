"""manage.py import_ledger FILE (docs/onboarding.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.coords import InputCRS
from incidents.choices import IncidentKind
from onboarding.ledger import import_ledger
from onboarding.management.commands._common import ImportCommand
from onboarding.templates import write_template


class Command(ImportCommand):
    help = gettext_lazy(
        "Import a ledger (台账) of past matters as closed matters that keep their dates, number "
        "and outcome. Every row is checked first; any bad row refuses the whole file unless "
        "--skip-bad-rows. Importing the same ledger again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help=_("the ledger (.xlsx, .xls, .ods or .csv)"))
        parser.add_argument(
            "--kind",
            choices=IncidentKind.values,
            default=IncidentKind.DISPUTE,
            help=_("the kind of matters the ledger holds (default: dispute)"),
        )
        parser.add_argument(
            "--crs",
            choices=InputCRS.values,
            default=InputCRS.WGS84,
            help=_(
                "coordinate system of 经度/纬度 when neither a 坐标系 column nor the header says"
            ),
        )
        parser.add_argument(
            "--template", metavar="PATH", help=_("write a blank ledger template to PATH and stop")
        )
        self.add_common_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        if options["template"]:
            path = write_template("ledger", Path(str(options["template"])))
            self.stdout.write(_("Template written to %(path)s") % {"path": path})
            return
        path = self.checked_path(options["file"])  # type: ignore[arg-type]
        import_options = self.options_from(options, "ledger")
        result = self.run_import(
            lambda: import_ledger(
                path=path,
                options=import_options,
                kind=str(options["kind"]),
                crs=str(options["crs"]),
            )
        )
        self.finish(result, path, options)
