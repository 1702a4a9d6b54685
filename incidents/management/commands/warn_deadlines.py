"""manage.py warn_deadlines: warn of open matters near their deadline (for the job runner)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import TranslatedHelpCommand
from incidents.announcements import warn_deadlines


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Warn the handler and the unit's staff of open matters near their deadline "
        "(NOTIFY_DEADLINE_WARNINGS). Safe to run often: each warning is written once."
    )

    def handle(self, *args: object, **options: object) -> None:
        warned = warn_deadlines()
        self.stdout.write(_("%(count)d matters warned now.") % {"count": warned})
