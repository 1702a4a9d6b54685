"""manage.py load_demo_ledger: the demo's years before the last, as a synthetic ledger imported
through the ledger importer (docs/demo-data.md)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import TranslatedHelpCommand

DEFAULT_SEED = 2026  # incidents.demo.load.DEFAULT_SEED, without importing the generator here


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Write the demo's years before the last as a synthetic ledger (台账, an .xlsx labelled "
        "合成示例数据 / synthetic demo data, kept under var/demo/) and import it with the ledger "
        "importer, as closed matters with their original numbers and dates. Does nothing when "
        "it is imported, unless --force (which undoes that import first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("undo the demo ledger's import and import it again, made anew"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("random seed (default %(default)s): use the one load_demo_incidents used"),
        )
        parser.add_argument(
            "--months",
            type=int,
            help=_("only the last N months before the live year (default: all the years before)"),
        )
        parser.add_argument(
            "--township",
            action="append",
            metavar="CODE_OR_NAME",
            help=_("only these townships (code or name; repeatable or comma-separated)"),
        )
        parser.add_argument(
            "--output", metavar="PATH", help=_("where to write the ledger (default: var/demo/)")
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        # The generator (numpy, shapely, pyproj) is imported only here.
        from onboarding.demo_ledger import Slice, township_filter
        from onboarding.demo_ledger_load import DemoLedgerError, demo_batches, load_demo_ledger

        loaded = demo_batches().first()
        if loaded is not None and not options["force"]:
            self.stdout.write(
                _(
                    "The demo ledger is already imported (import %(id)d, %(count)s matters; use "
                    "--force to make and import it again)."
                )
                % {"id": loaded.pk, "count": f"{loaded.created:,}"}
            )
            return
        months = options["months"]
        if months is not None and months < 1:
            raise CommandError(_("--months must be at least 1."))
        part = Slice(months=months, townships=township_filter(options["township"]))  # type: ignore[arg-type]
        quiet = options["verbosity"] == 0
        try:
            done = load_demo_ledger(
                seed=int(options["seed"]),  # type: ignore[arg-type]
                part=part,
                replace=bool(options["force"]),
                path=Path(str(options["output"])) if options["output"] else None,
                progress=(lambda message: None) if quiet else self.stdout.write,
            )
        except DemoLedgerError as error:
            raise CommandError(str(error)) from None
        report, batch = done.result.report, done.result.batch
        self.stdout.write(report.summary())
        for reason, count in report.warning_counts():
            self.stdout.write(
                _("warning (%(count)d rows): %(reason)s") % {"count": count, "reason": reason}
            )
        self.stdout.write(
            _(
                "Imported the synthetic demo ledger %(first)s – %(last)s as import %(id)s: "
                "%(created)s matters (import %(import).1f s, %(total).1f s in all)."
            )
            % {
                "first": done.ledger.first or "-",
                "last": done.ledger.last or "-",
                "id": batch.pk if batch else "-",
                "created": f"{report.created:,}",
                "import": done.timings.get("import", 0.0),
                "total": time.perf_counter() - started,
            }
        )
