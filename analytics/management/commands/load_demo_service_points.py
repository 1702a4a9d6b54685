"""manage.py load_demo_service_points: the demo county's service points (synthetic), derived
from its centers and mediators; run by `make demo` after the responders (and the roads)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from analytics.coverage.services import derive_demo_service_points
from roads.queries import active_network


class Command(BaseCommand):
    help = (
        "Derive the demo county's service points (mediation rooms, stationed windows, mediators' "
        "home bases) from its centers and mediators; replaces the synthetic ones."
    )

    def handle(self, *args: object, **options: object) -> None:
        made = derive_demo_service_points()
        self.stdout.write(
            _(
                "Service points: %(rooms)d mediation rooms, %(windows)d stationed windows, "
                "%(mediators)d mediators' home bases (synthetic)."
            )
            % {"rooms": made.rooms, "windows": made.windows, "mediators": made.mediators}
        )
        if active_network() is None:
            self.stdout.write(
                _("No road network is loaded: the service circle is measured once roads are.")
            )
