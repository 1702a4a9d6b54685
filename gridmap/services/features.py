"""Reading the importer's frame: each feature's fields checked, its geometry cleaned."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.utils.translation import gettext as _

from gridmap.choices import (
    CODE_LENGTH,
    LEVEL_ORDER,
    AreaLevel,
    ancestor_codes,
    level_for_code,
)
from gridmap.codes import CodeReading, read_code
from gridmap.models import WGS84, Area
from gridmap.services.results import (
    _FALSE,
    _POLYGONAL,
    _TRUE,
    DISPLAY_TOLERANCE_DEGREES,
    MAX_LISTED_ERRORS,
    OPTIONAL_FIELDS,
    InvalidFeaturesError,
)


@dataclass
class _Feature:
    row: int
    code: str
    name: str
    level: str
    parent_code: str | None
    population: int | None
    households: int | None
    synthetic: bool | None
    geom: shapely.Geometry | None = None
    display: shapely.Geometry | None = None
    label: shapely.Geometry | None = None
    code_reading: CodeReading | None = None

    @property
    def where(self) -> str:
        return _("feature %(row)d (code %(code)s)") % {"row": self.row, "code": self.code or "—"}


class _Errors(list):
    """Messages collected over a whole file, so one run lists every bad feature, in file order."""

    def add(self, feature: _Feature, message: str, *, sentence: str | None = None) -> None:
        """``message`` about ``feature``; ``sentence`` when it names the feature itself."""
        where = {"where": feature.where, "message": message}
        text = sentence or _("%(where)s: %(message)s") % where
        item = {"feature": feature.row, "code": feature.code, "reason": message}
        self.append((feature.row, text, item))

    def raise_if_any(self) -> None:
        if self:
            ordered = sorted(self, key=lambda item: item[0])
            messages = [message for _row, message, _item in ordered]
            listed = messages[:MAX_LISTED_ERRORS]
            if len(messages) > MAX_LISTED_ERRORS:
                listed.append(_("… and %(n)d more.") % {"n": len(messages) - MAX_LISTED_ERRORS})
            raise InvalidFeaturesError(listed, [item for _row, _message, item in ordered])


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value)))


def _text(value: object) -> str:
    """A code or name as text; whole numbers (codes read as numbers) lose their '.0'."""
    if _missing(value):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _count(value: object, label: str, feature: _Feature, errors: _Errors) -> int | None:
    if _missing(value) or value == "":
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number >= 0 and number.is_integer()):
        errors.add(
            feature,
            _("%(field)s must be a whole number ≥ 0, got %(value)r.")
            % {"field": label, "value": value},
        )
        return None
    return int(number)


def _flag(value: object, feature: _Feature, errors: _Errors) -> bool | None:
    if _missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    errors.add(feature, _("synthetic must be true or false, got %(value)r.") % {"value": value})
    return None


def _level(raw: object, feature: _Feature, errors: _Errors) -> str:
    derived = level_for_code(feature.code)
    if _missing(raw) or str(raw).strip() == "":
        if derived is None:
            errors.add(
                feature,
                _("%(code)r is not a statistical code (12 digits, or 15 for a grid cell).")
                % {"code": feature.code},
            )
        return derived or ""
    level = str(raw).strip().lower()
    if level not in AreaLevel.values:
        errors.add(
            feature,
            _("level must be one of %(levels)s, got %(value)r.")
            % {"levels": ", ".join(AreaLevel.values), "value": raw},
        )
    elif derived and level != derived and len(feature.code) == CODE_LENGTH[level]:
        errors.add(
            feature,
            _("%(code)s is a %(derived)s code, but its level says %(level)s.")
            % {"code": feature.code, "derived": derived, "level": level},
        )
    return level


def _feature(row: int, record: dict[str, object], errors: _Errors) -> _Feature:
    reading = read_code(record.get("code"))
    feature = _Feature(
        row=row,
        code=reading.code or reading.given,
        name=_text(record.get("name")),
        level="",
        parent_code=None,
        population=None,
        households=None,
        synthetic=None,
        code_reading=reading,
    )
    if reading.error:
        errors.add(feature, reading.error)
    if not feature.name:
        errors.add(feature, _("name is empty."))
    elif len(feature.name) > Area._meta.get_field("name").max_length:
        errors.add(feature, _("name is longer than 100 characters."))
    # A code that could not be read has no level to check: its error says what is wrong.
    feature.level = "" if reading.error else _level(record.get("level"), feature, errors)
    if reading.lost_digits_for(feature.level):
        errors.add(feature, reading.lost_digits_message())
    if feature.level in CODE_LENGTH and feature.level != AreaLevel.COUNTY:
        parent = read_code(record.get("parent_code"))
        if parent.error:
            errors.add(feature, parent.error)
        feature.parent_code = parent.code or ancestor_codes(feature.code, feature.level)[-1]
    feature.population = _count(record.get("population"), "population", feature, errors)
    feature.households = _count(record.get("households"), "households", feature, errors)
    feature.synthetic = _flag(record.get("synthetic"), feature, errors)
    return feature


def _in_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InvalidFeaturesError(
                [_("The features have no CRS and their coordinates are not longitude/latitude.")]
            )
        return frame.set_crs(WGS84)
    return frame if frame.crs.to_epsg() == WGS84 else frame.to_crs(WGS84)


def _as_multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def _polygonal_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    parts = shapely.get_parts(geom)
    return [p for p in parts if p.geom_type in _POLYGONAL and not p.is_empty]


def _repair(geom: shapely.Geometry) -> shapely.Geometry:
    """A valid polygonal geometry covering what ``geom`` meant; collapsed parts are dropped."""
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = _polygonal_parts(fixed)
    if not parts:
        return shapely.MultiPolygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _clean_geometry(
    feature: _Feature, geom: shapely.Geometry | None, errors: _Errors, repaired: list
) -> None:
    """Set the feature's MultiPolygon, repairing it (and saying so) where it was invalid."""
    if geom is None or geom.is_empty:
        errors.add(
            feature,
            _("has no geometry."),
            sentence=_("feature %(row)d (code %(code)s) has no geometry.")
            % {"row": feature.row, "code": feature.code or "—"},
        )
        return
    geom = shapely.force_2d(geom)
    polygonal = geom.geom_type in _POLYGONAL
    if not polygonal and not (geom.geom_type == "GeometryCollection" and _polygonal_parts(geom)):
        errors.add(
            feature,
            _("is a %(type)s; boundaries must be polygons.") % {"type": geom.geom_type},
        )
        return
    if not polygonal or not geom.is_valid:
        reason = shapely.is_valid_reason(geom) if polygonal else _("mixed geometry collection")
        geom = _repair(geom)
        if geom.is_empty:
            errors.add(feature, _("has no area (%(reason)s).") % {"reason": reason})
            return
        repaired.append({"row": feature.row, "code": feature.code, "reason": reason})
    feature.geom = _as_multipolygon(geom)


def _display_geometries(features: list[_Feature]) -> None:
    """Simplified display boundary and an inside label point for every feature."""
    for level in LEVEL_ORDER:
        group = [f for f in features if f.level == level]
        if not group:
            continue
        geoms = np.array([f.geom for f in group], dtype=object)
        tolerance = DISPLAY_TOLERANCE_DEGREES[level]
        try:
            display = shapely.coverage_simplify(geoms, tolerance)
        except shapely.errors.GEOSException:
            # Not a coverage GEOS can work with (e.g. overlapping siblings, refused later anyway):
            # simplify each boundary on its own.
            display = np.array([None] * len(geoms), dtype=object)
        bad = np.array([not _usable(g) for g in display], dtype=bool)
        display[bad] = shapely.simplify(geoms[bad], tolerance, preserve_topology=True)
        centres = shapely.get_point(shapely.maximum_inscribed_circle(geoms), 0)
        outside = ~shapely.within(centres, geoms)
        centres[outside] = shapely.point_on_surface(geoms[outside])
        for feature, shape, centre in zip(group, display, centres, strict=True):
            feature.display = _as_multipolygon(shape)
            feature.label = centre


def _usable(geom: shapely.Geometry | None) -> bool:
    return geom is not None and geom.geom_type in _POLYGONAL and not geom.is_empty and geom.is_valid


def _check_duplicates(features: list[_Feature], errors: _Errors) -> None:
    first_row: dict[str, int] = {}
    counts = Counter(f.code for f in features if f.code)
    for feature in features:
        reading = feature.code_reading
        if counts[feature.code] > 1 and reading is not None and reading.shown is not None:
            # Codes that a spreadsheet rounded to the same number: digits were lost.
            errors.add(feature, reading.lost_digits_message())
        elif feature.code and feature.code in first_row:
            errors.add(
                feature,
                _("code %(code)s appears twice in the file (first at feature %(row)d).")
                % {"code": feature.code, "row": first_row[feature.code]},
            )
        first_row.setdefault(feature.code, feature.row)


def _prepare(frame: gpd.GeoDataFrame) -> tuple[list[_Feature], set[str], list[dict]]:
    """Features with clean attributes and geometries, the optional fields present, repairs."""
    missing = [column for column in ("code", "name") if column not in frame.columns]
    if missing:
        raise InvalidFeaturesError(
            [_("Column %(column)s is missing.") % {"column": column} for column in missing]
        )
    if frame.empty:
        raise InvalidFeaturesError([_("There are no features to import.")])
    frame = _in_wgs84(frame)
    errors = _Errors()
    records = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict("records")
    features = [_feature(row, record, errors) for row, record in enumerate(records, start=1)]
    _check_duplicates(features, errors)
    repaired: list[dict] = []
    for feature, geom in zip(features, frame.geometry.values, strict=True):
        _clean_geometry(feature, geom, errors, repaired)
    errors.raise_if_any()
    _display_geometries(features)
    return features, {f for f in OPTIONAL_FIELDS if f in frame.columns}, repaired
