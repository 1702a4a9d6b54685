"""manage.py import_areas: load county/township/village/grid boundaries from a GIS file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap import io
from gridmap.management.base import add_gis_file_arguments, not_imported
from gridmap.services import (
    DEFAULT_TOLERANCES,
    ImportRefusedError,
    ImportResult,
    InvalidFeaturesError,
    Tolerances,
    ValidationReport,
    import_areas,
)

# --<option>-field → the importer's column name.
FIELD_OPTIONS = (
    ("code", "code"),
    ("name", "name"),
    ("level", "level"),
    ("parent", "parent_code"),
    ("population", "population"),
    ("households", "households"),
    ("synthetic", "synthetic"),
)


def format_report(report: ValidationReport) -> str:
    """The validation report as a plain-text table, one line per level of children."""
    header = (
        f"{_('level'):<10} {_('parents'):>7} {_('children'):>8}  "
        f"{_('max outside'):>12} {_('max overlap'):>12} {_('max uncovered'):>14}"
    )
    lines = [header, "-" * len(header)]
    for row in report.levels:
        lines.append(
            f"{row.level:<10} {row.parents:>7} {row.children:>8}  "
            f"{row.max_outside_pct:>10.3f} % {row.max_overlap_pct:>10.3f} % "
            f"{row.max_uncovered_pct:>12.3f} %"
        )
    if not report.levels:
        lines.append(_("(no parent with children was touched: nothing to compare)"))
    tolerances = report.tolerances
    lines.append(
        _("Tolerances: outside ≤ %(o)g %%, overlap ≤ %(v)g %%, uncovered ≤ %(u)g %%.")
        % {
            "o": tolerances.max_outside_pct,
            "v": tolerances.max_overlap_pct,
            "u": tolerances.max_uncovered_pct,
        }
    )
    for repair in report.repaired:
        lines.append(_("Repaired feature %(row)s (code %(code)s): %(reason)s") % repair)
    return "\n".join(lines)


def _percent(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    # Plain text: argparse cannot format a lazy translation (Django's own commands do the same).
    help = (
        "Import area boundaries (county, township, village, grid) from GeoJSON, Shapefile (.shp or "
        ".zip) or GeoPackage. All or nothing: a bad feature or a broken tolerance writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_gis_file_arguments(parser, path_help=_("GeoJSON, Shapefile, zipped Shapefile, GPKG"))
        parser.add_argument(
            "--valid-from", help=_("date the boundaries take effect, YYYY-MM-DD (default today)")
        )
        for option, key in FIELD_OPTIONS:
            parser.add_argument(
                f"--{option}-field",
                metavar="FIELD",
                help=_("field holding the %(what)s (default: %(names)s)")
                % {"what": option, "names": " or ".join(io.FIELD_ALIASES[key])},
            )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("run every check, then roll back")
        )
        for name, default in (
            ("outside", DEFAULT_TOLERANCES.max_outside_pct),
            ("overlap", DEFAULT_TOLERANCES.max_overlap_pct),
            ("uncovered", DEFAULT_TOLERANCES.max_uncovered_pct),
        ):
            parser.add_argument(
                f"--max-{name}",
                type=_percent,
                default=default,
                metavar="PERCENT",
                help=_("tolerance for the %(name)s share, in percent (default %(default)s)")
                % {"name": name, "default": default},
            )
        parser.add_argument(
            "--retire-missing-under",
            metavar="CODE",
            help=_("retire areas below CODE that the file leaves out"),
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        valid_from = self._valid_from(options["valid_from"])
        try:
            frame, crs_label = self._read(path, options)
        except io.BoundaryFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Read %(n)d features from %(path)s (source CRS: %(crs)s).")
            % {"n": len(frame), "path": path, "crs": crs_label}
        )
        tolerances = Tolerances(
            max_outside_pct=options["max_outside"],
            max_overlap_pct=options["max_overlap"],
            max_uncovered_pct=options["max_uncovered"],
        )
        try:
            result = import_areas(
                frame,
                source=str(path),
                source_crs=crs_label,
                valid_from=valid_from,
                tolerances=tolerances,
                progress=options["verbosity"] >= 1,
                dry_run=bool(options["dry_run"]),
                retire_missing_under=options["retire_missing_under"],
            )
        except InvalidFeaturesError as exc:
            raise not_imported(path, exc.messages) from None
        except ImportRefusedError as exc:
            self.stdout.write(format_report(exc.report))
            raise CommandError(
                _("Import refused, tolerances broken (nothing was written):")
                + "\n"
                + "\n".join(exc.messages)
            ) from None
        self._summary(result)

    def _read(self, path: Path, options: dict) -> tuple:
        """The file's features with the importer's column names, in EPSG:4326, and its CRS."""
        source = io.parse_source_crs(options["source_crs"]) if options["source_crs"] else None
        raw = io.read_boundaries(path, layer=options["layer"], encoding=options["encoding"])
        fields = {key: options[f"{option}_field"] for option, key in FIELD_OPTIONS}
        return io.to_wgs84_frame(io.select_fields(raw, fields), source)

    def _valid_from(self, text: str | None) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(
                _("--valid-from must be a date YYYY-MM-DD, got %(text)r.") % {"text": text}
            ) from None

    def _summary(self, result: ImportResult) -> None:
        self.stdout.write(format_report(result.report))
        self.stdout.write(
            _(
                "Created %(created)d, re-versioned %(updated)d, unchanged %(unchanged)d "
                "(names or figures updated: %(touched)d), repaired %(repaired)d, "
                "retired %(retired)d."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "touched": result.attributes_updated,
                "repaired": result.repaired,
                "retired": result.retired,
            }
        )
        if result.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: everything was rolled back.")))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Import %(id)d recorded.") % {"id": result.import_id})
            )
