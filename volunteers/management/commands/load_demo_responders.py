"""manage.py load_demo_responders: the demo's mediators, counsellors, squads and dispatches."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.demo.command import SeededDemoCommand


class Command(SeededDemoCommand):
    help = gettext_lazy(
        "Load the demo's responders (55 mediators, 3 counsellors, 10 industry mediation "
        "committees, 55 volunteer squads with 647 volunteers) with positions, and dispatch a "
        "share of the demo matters with their histories. Does nothing when they are loaded, "
        "unless --force (which replaces the synthetic responders only)."
    )

    force_help = gettext_lazy(
        "replace the synthetic responders even when they are loaded (real ones stay)"
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
        self.stdout.write(_("Placing the demo responders and dispatching demo matters…"))
        result, seconds = self.run_loader(load_demo_responders, options, DemoResponderError)
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
                "s": seconds,
            }
        )
        self.write_summary(summary_lines(), options)
