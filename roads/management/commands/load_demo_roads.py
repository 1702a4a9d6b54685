"""manage.py load_demo_roads: the demo county's synthetic road network (make demo runs it)."""

from __future__ import annotations

import time

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.demo.state import county_row, is_demo
from gridmap.management.base import TranslatedHelpCommand
from roads.models import RoadNetwork
from roads.reporting import summary_lines


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Load a synthetic road network for the Longxi demo county (corridors, county, township "
        "and village roads, a street grid in the county seat), marked synthetic. Does nothing "
        "when one is loaded, unless --force; never replaces an imported network unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help=_("regenerate it, replacing the network in use")
        )

    def handle(self, *args: object, **options: object) -> None:
        force = bool(options["force"])
        county = county_row()
        if county is None or not is_demo(county):
            raise CommandError(_("The Longxi demo county is not loaded: run load_demo first."))
        active = RoadNetwork.objects.active()
        if active is not None and not force:
            if active.synthetic:
                self.stdout.write(
                    _("The demo road network is already loaded (use --force to rebuild it).")
                )
                return
            raise CommandError(
                _(
                    "An imported road network (%(name)s) is in use; --force would replace it "
                    "with synthetic roads."
                )
                % {"name": active.name}
            )
        from roads.demo.load import load_demo_roads  # the geometry stack only when needed

        started = time.perf_counter()
        self.stdout.write(_("Generating the demo road network…"))
        verbose = options["verbosity"] >= 1
        network = load_demo_roads(
            progress=(lambda line: self.stdout.write("  " + line)) if verbose else None
        )
        for line in summary_lines(network):
            self.stdout.write(line)
        self.stdout.write(
            _("Demo road network loaded in %(s).1f s.") % {"s": time.perf_counter() - started}
        )
