"""manage.py import_service_points: load service points (mediation rooms, windows, mediators'
home bases) from GeoJSON, GeoPackage, Shapefile or a CSV file with lon/lat columns."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from analytics.choices import ServicePointKind
from analytics.coverage.io import read_points
from analytics.coverage.services import ServicePointImportError, import_service_points
from gridmap.io import BoundaryFileError


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation (Django's own commands do the same).
    help = (
        "Import service points from GeoJSON, GeoPackage, Shapefile or CSV (lon, lat, name, kind, "
        "unit columns). All or nothing: one bad row writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=_("GeoJSON, GeoPackage, Shapefile or CSV"))
        parser.add_argument("--layer", help=_("layer to read (files with several layers)"))
        parser.add_argument("--encoding", help=_("attribute encoding, e.g. GBK"))
        parser.add_argument(
            "--source-crs",
            help=_("wgs84, cgcs2000, gcj02, bd09 or EPSG:<number>; default: the file's own CRS"),
        )
        parser.add_argument(
            "--kind",
            choices=ServicePointKind.values,
            default=ServicePointKind.OTHER,
            help=_("kind of rows without a kind column (default other)"),
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("delete the points of an earlier import of the same file first"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("run every check, then roll back")
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        try:
            rows, crs = read_points(
                path,
                layer=options["layer"],
                encoding=options["encoding"],
                source_crs=options["source_crs"],
                default_kind=options["kind"],
            )
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Read %(n)d service points from %(path)s (source CRS: %(crs)s).")
            % {"n": len(rows), "path": path, "crs": crs}
        )
        try:
            result = import_service_points(
                rows=rows,
                source=str(path),
                replace=bool(options["replace"]),
                dry_run=bool(options["dry_run"]),
                progress=options["verbosity"] >= 1,
            )
        except ServicePointImportError as exc:
            raise CommandError(
                _("%(path)s was not imported (nothing was written):") % {"path": path}
                + "\n"
                + "\n".join(exc.messages)
            ) from None
        self.stdout.write(
            _("Created %(created)d service points, replaced %(replaced)d.")
            % {"created": result.created, "replaced": result.replaced}
        )
        if result.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: everything was rolled back.")))
