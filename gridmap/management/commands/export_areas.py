"""manage.py export_areas: write the areas in force to GeoJSON, Shapefile or GeoPackage."""

from __future__ import annotations

from pathlib import Path

from django.contrib.gis.db.models.functions import AsWKB
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridmap import io
from gridmap.choices import AREA_ATTRIBUTES, LEVEL_ORDER, AreaLevel
from gridmap.models import Area

EXPORT_COLUMNS = AREA_ATTRIBUTES


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation (Django's own commands do the same).
    help = (
        "Export the areas in force (full boundaries, EPSG:4326) with their codes, names and "
        "figures; the file imports back with import_areas."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=_("output file (.geojson, .shp or .gpkg)"))
        parser.add_argument(
            "--level",
            action="append",
            choices=AreaLevel.values,
            help=_("only this level (repeatable); default: every level"),
        )
        parser.add_argument("--within", metavar="CODE", help=_("only CODE and the areas below it"))
        parser.add_argument(
            "--format",
            choices=sorted(io.EXPORT_FORMATS),
            help=_("default: from the file extension"),
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        try:
            fmt = options["format"] or io.format_for_path(path)
        except io.BoundaryFileError as exc:
            raise CommandError(str(exc)) from None
        areas = Area.objects.current()
        if options["within"]:
            top = Area.objects.current().filter(code=options["within"]).first()
            if top is None:
                raise CommandError(
                    _("--within %(code)s: no area in force has this code.")
                    % {"code": options["within"]}
                )
            areas = areas.within(top)
        if options["level"]:
            areas = areas.filter(level__in=options["level"])
        rows = list(
            areas.annotate(wkb=AsWKB("boundary"))
            .values(*EXPORT_COLUMNS[:3], "parent__code", *EXPORT_COLUMNS[4:], "wkb")
            .order_by("code")
        )
        # Parents before children, so the file reads top-down.
        rows.sort(key=lambda row: (LEVEL_ORDER.index(row["level"]), row["code"]))
        for row in rows:
            row["parent_code"] = row.pop("parent__code")
        if not rows:
            raise CommandError(_("No area in force matches; nothing written."))
        frame = io.areas_frame(rows)
        io.write_boundaries(frame[[*EXPORT_COLUMNS, "geometry"]], path, fmt)
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(n)d areas to %(path)s (%(format)s).")
                % {"n": len(rows), "path": path, "format": fmt}
            )
        )
