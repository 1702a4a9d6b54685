"""manage.py load_demo_incidents: a year of synthetic matters with full histories for the demo."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo's year of synthetic matters (disputes, hazards, petitions, requests) with "
        "their parties and trails, up to now, into the Longxi demo county. Does nothing when they "
        "are loaded, unless --force (which replaces the synthetic matters only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from incidents.demo.load import DEFAULT_SEED

        parser.add_argument(
            "--force",
            action="store_true",
            help=_("replace the synthetic matters even when they are loaded (real ones stay)"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("random seed (default %(default)s): the same seed on the same day, same data"),
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
        started = time.perf_counter()
        self.stdout.write(_("Generating the demo year of matters…"))
        progress = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        try:
            result = load_demo_incidents(
                seed=int(options["seed"]), replace=bool(options["force"]), progress=progress
            )
        except DemoIncidentsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Loaded %(count)s matters (%(users)d synthetic users created) in %(s).1f s.")
            % {
                "count": f"{result.incidents:,}",
                "users": result.users_created,
                "s": time.perf_counter() - started,
            }
        )
        if options["verbosity"] >= 1:
            for line in summary_lines():
                self.stdout.write(f"  {line}")
