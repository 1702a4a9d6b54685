"""manage.py import_areas: load county/township/village/grid boundaries from a GIS file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap import import_report, io
from gridmap.management.base import add_gis_file_arguments, not_imported
from gridmap.services import (
    DEFAULT_TOLERANCES,
    ImportRefusedError,
    ImportResult,
    InvalidFeaturesError,
    Tolerances,
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
        parser.add_argument(
            "--swap-xy",
            action="store_true",
            help=_("exchange x and y of every coordinate (files with latitude first)"),
        )
        parser.add_argument(
            "--report-json",
            type=Path,
            metavar="PATH",
            help=_("also write the report, or what was wrong, as JSON to PATH"),
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]
        valid_from = self._valid_from(options["valid_from"])
        self.report_path: Path | None = options["report_json"]
        try:
            frame, crs_label, encoding = self._read(path, options)
        except io.BoundaryFileError as exc:
            self._write_json(source=str(path), errors=[{"reason": str(exc)}])
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _("Read %(n)d features from %(path)s (source CRS: %(crs)s).")
            % {"n": len(frame), "path": path, "crs": crs_label}
        )
        self.stdout.write(import_report.describe_encoding(encoding))
        tolerances = Tolerances(
            max_outside_pct=options["max_outside"],
            max_overlap_pct=options["max_overlap"],
            max_uncovered_pct=options["max_uncovered"],
        )
        context = {"source": str(path), "features": len(frame), "encoding": encoding}
        context["source_crs"] = crs_label
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
                read_notes={"encoding": encoding},
            )
        except InvalidFeaturesError as exc:
            self._write_json(**context, errors=exc.items)
            raise not_imported(path, exc.messages) from None
        except ImportRefusedError as exc:
            report = exc.report.as_dict()
            self._write_json(**context, report=report, errors=exc.items)
            self.stdout.write(import_report.text_report(report))
            raise CommandError(
                _("Import refused, tolerances broken (nothing was written):")
                + "\n"
                + "\n".join(exc.messages)
            ) from None
        self._write_json(**context, result=result)
        self._summary(result)

    def _read(self, path: Path, options: dict) -> tuple:
        """The file's features with the importer's column names, in EPSG:4326, its CRS label
        and the attribute encoding used (gridmap.encodings.EncodingChoice.as_dict())."""
        source = io.parse_source_crs(options["source_crs"]) if options["source_crs"] else None
        raw, encoding = io.read_boundary_file(
            path, layer=options["layer"], encoding=options["encoding"]
        )
        fields = {key: options[f"{option}_field"] for option, key in FIELD_OPTIONS}
        selected = io.select_fields(raw, fields)
        if options["swap_xy"]:
            selected = io.swap_xy(selected)
        frame, label = io.to_wgs84_frame(selected, source)
        return frame, label, encoding.as_dict()

    def _write_json(self, **values: object) -> None:
        if self.report_path is None:
            return
        values.setdefault("features", 0)
        values.setdefault("encoding", None)
        values.setdefault("source_crs", "")
        document = import_report.json_report(**values)
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        self.report_path.write_text(
            json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
        )

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
        report = {**result.report.as_dict(), "notes": list(result.notes)}
        self.stdout.write(import_report.text_report(report))
        self.stdout.write(import_report.summary_line(result))
        if result.dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: everything was rolled back.")))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Import %(id)d recorded.") % {"id": result.import_id})
            )
