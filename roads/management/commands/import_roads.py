"""manage.py import_roads: load a county's road network from a GIS file or an OSM extract."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.management.base import (
    TranslatedHelpCommand,
    add_gis_file_arguments,
    not_imported,
)
from roads import io
from roads.choices import RoadClass
from roads.classes import SKIP, parse_class_map
from roads.importing import ClassRules, RoadImportError, import_roads
from roads.noding import DEFAULT_SNAP_TOLERANCE_M
from roads.reporting import summary_lines


def _tolerance(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 50:
        raise ValueError(text)
    return value


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Import the road network from a GeoPackage, Shapefile, GeoJSON or OpenStreetMap extract "
        "(.osm, .osm.pbf) as one new version that replaces the one in use. All or nothing: a bad "
        "feature writes nothing and the network in use stays."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_gis_file_arguments(parser, path_help=_("GPKG, Shapefile, GeoJSON, .osm or .osm.pbf"))
        for option, names in io.FIELD_ALIASES.items():
            parser.add_argument(
                f"--{option}-field",
                metavar="FIELD",
                help=_("attribute holding the road's %(what)s (default: %(names)s)")
                % {"what": option, "names": " or ".join(names)},
            )
        parser.add_argument(
            "--class-map",
            action="append",
            default=[],
            metavar="VALUE=CLASS",
            help=_("what a class value means, e.g. 1=expressway or 专用公路=skip (repeatable)"),
        )
        parser.add_argument(
            "--default-class",
            choices=[*RoadClass.values, SKIP],
            help=_("class of features whose value nothing maps (skip: leave them out)"),
        )
        parser.add_argument(
            "--snap-tolerance",
            type=_tolerance,
            default=DEFAULT_SNAP_TOLERANCE_M,
            metavar="METRES",
            help=_("join a road end this close to another road's middle (default %(d)s m)")
            % {"d": DEFAULT_SNAP_TOLERANCE_M},
        )
        parser.add_argument("--name", help=_("name of the new network version"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("run every check and build, then roll back")
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        started = time.perf_counter()
        try:
            class_map = parse_class_map(options["class_map"])
        except ValueError as exc:
            raise CommandError(
                _("--class-map wants VALUE=CLASS with CLASS one of %(classes)s; got %(item)r.")
                % {"classes": ", ".join([*RoadClass.values, SKIP]), "item": str(exc)}
            ) from None
        try:
            frame, crs_label = io.read_roads(
                path,
                layer=options["layer"],
                encoding=options["encoding"],
                source_crs=options["source_crs"],
                fields={key: options[f"{key}_field"] for key in io.FIELD_ALIASES},
            )
        except io.RoadFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Read %(n)d features from %(path)s (source CRS: %(crs)s).")
            % {"n": len(frame), "path": path, "crs": crs_label}
        )
        verbose = options["verbosity"] >= 1
        try:
            result = import_roads(
                frame,
                source=str(path),
                source_crs=crs_label,
                rules=ClassRules(
                    user_map=class_map, default_class=options["default_class"], osm=io.is_osm(path)
                ),
                name=options["name"] or path.name,
                dry_run=bool(options["dry_run"]),
                snap_tolerance_m=options["snap_tolerance"],
                progress=(lambda line: self.stdout.write("  " + line)) if verbose else None,
            )
        except RoadImportError as exc:
            raise not_imported(path, exc.messages) from None
        for line in summary_lines(result.network):
            self.stdout.write(line)
        seconds = time.perf_counter() - started
        if result.dry_run:
            self.stdout.write(
                self.style.WARNING(
                    _("Dry run: everything was rolled back (%(s).1f s).") % {"s": seconds}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Road network %(id)d is now in use (%(s).1f s).")
                    % {"id": result.network.pk, "s": seconds}
                )
            )
