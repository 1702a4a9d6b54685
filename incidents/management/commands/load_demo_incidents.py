"""manage.py load_demo_incidents: the demo's last year of synthetic matters with full histories.

The years before it come through the ledger importer (manage.py load_demo_ledger); --all-years
generates all three years here instead.
"""

from __future__ import annotations

import functools

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.demo.command import SeededDemoCommand


class Command(SeededDemoCommand):
    help = gettext_lazy(
        "Load the demo's last year of synthetic matters (disputes, hazards, petitions, requests) "
        "with their parties and trails, up to now, into the Longxi demo county (the years before "
        "come from load_demo_ledger, or with --all-years from here). Does nothing when they are "
        "loaded, unless --force (which replaces the synthetic matters only)."
    )

    force_help = gettext_lazy(
        "replace the synthetic matters even when they are loaded (real ones stay)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--all-years",
            action="store_true",
            help=_(
                "generate all the demo's years here, not only the last one (then do not run "
                "load_demo_ledger)"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        # The generator (numpy, shapely, pyproj) is imported only here, after the cheap checks.
        from incidents.demo.load import (
            DemoIncidentsError,
            check_demo_county,
            demo_incidents,
            load_demo_incidents,
        )
        from incidents.demo.summary import summary_lines

        try:
            check_demo_county()
        except DemoIncidentsError as error:
            raise CommandError(str(error)) from None
        loaded = demo_incidents()
        if loaded and not options["force"]:
            self.stdout.write(
                _(
                    "The demo's %(count)s synthetic matters are already loaded "
                    "(use --force to replace them)."
                )
                % {"count": f"{loaded:,}"}
            )
            return
        from incidents.demo.plan import DEMO_YEARS

        all_years = bool(options["all_years"])
        self.stdout.write(
            _("Generating the demo's %(years)d years of matters…") % {"years": DEMO_YEARS}
            if all_years
            else _("Generating the demo's last year of matters…")
        )
        load = functools.partial(load_demo_incidents, all_years=all_years)
        result, seconds = self.run_loader(load, options, DemoIncidentsError)
        self.stdout.write(
            _("Loaded %(count)s matters (%(users)d synthetic users created) in %(s).1f s.")
            % {
                "count": f"{result.incidents:,}",
                "users": result.users_created,
                "s": seconds,
            }
        )
        self.write_summary(summary_lines(), options)
