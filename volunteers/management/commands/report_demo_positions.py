"""manage.py report_demo_positions: the demo units' phones report where they are (demo only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Stamp the positions of the synthetic responders that share their location with the "
        "current time, as their phones would (idle ones move a little around their base). "
        "Touches synthetic units only; `make demo` runs it every minute."
    )

    def handle(self, *args: object, **options: object) -> None:
        from volunteers.demo.heartbeat import report_demo_positions

        reported = report_demo_positions()
        if int(options["verbosity"]) >= 1:  # type: ignore[call-overload]
            self.stdout.write(
                _("%(count)d demo units reported their position.") % {"count": reported}
            )
