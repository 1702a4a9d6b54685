"""manage.py export_roads: write the network in use to GeoJSON, Shapefile or GeoPackage."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap import io as gridmap_io
from gridmap.management.base import TranslatedHelpCommand
from roads import io
from roads.models import RoadNetwork


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Export the road network in use, one feature per edge (class, name, oneway; EPSG:4326); "
        "the file imports back with import_roads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=_("output file (.geojson, .shp or .gpkg)"))

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        try:
            fmt = gridmap_io.format_for_path(path)
        except io.RoadFileError as exc:
            raise CommandError(str(exc)) from None
        network = RoadNetwork.objects.active()
        if network is None:
            raise CommandError(_("No road network is in use; nothing written."))
        frame = io.edges_frame(network)
        io.write_roads(frame, path, fmt)
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(n)d road edges of %(name)s to %(path)s (%(format)s).")
                % {"n": len(frame), "name": network.name, "path": path, "format": fmt}
            )
        )
