"""manage.py load_demo_responders: the demo's mediators, counsellors, squads and dispatches."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo's responders (55 mediators, 3 counsellors, 10 industry mediation "
        "committees, 55 volunteer squads with 647 volunteers) with positions, and dispatch a "
        "share of the demo matters with their histories. Does nothing when they are loaded, "
        "unless --force (which replaces the synthetic responders only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        from incidents.demo.load import DEFAULT_SEED

        parser.add_argument(
            "--force",
            action="store_true",
            help=_("replace the synthetic responders even when they are loaded (real ones stay)"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("random seed (default %(default)s): the same seed on the same day, same data"),
        )

    def handle(self, *args: object, **options: object) -> None:
        # The generator (numpy, shapely, pyproj) is imported only here.
        from volunteers.demo.load import (
            DemoResponderError,
            demo_responders,
            load_demo_responders,
        )
        from volunteers.demo.summary import summary_lines

        loaded = demo_responders()
        if loaded and not options["force"]:
            self.stdout.write(
                _(
                    "The demo's %(count)d synthetic responders are already loaded "
                    "(use --force to replace them)."
                )
                % {"count": loaded}
            )
            return
        started = time.perf_counter()
        self.stdout.write(_("Placing the demo responders and dispatching demo matters…"))
        progress = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        try:
            result = load_demo_responders(
                seed=int(options["seed"]), replace=bool(options["force"]), progress=progress
            )
        except DemoResponderError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Loaded %(units)d responders, %(volunteers)d volunteers and %(assignments)s "
                "assignments on %(matters)s matters (%(users)d accounts created) in %(s).1f s."
            )
            % {
                "units": result.units,
                "volunteers": result.volunteers,
                "assignments": f"{result.assignments:,}",
                "matters": f"{result.matters:,}",
                "users": result.users_created,
                "s": time.perf_counter() - started,
            }
        )
        if options["verbosity"] >= 1:
            for line in summary_lines():
                self.stdout.write(f"  {line}")
