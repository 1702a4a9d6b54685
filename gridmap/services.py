"""Write paths of the grid network. ``import_areas`` is the one way boundaries get written."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from gridmap.choices import (
    CODE_LENGTH,
    LEVEL_ORDER,
    AreaLevel,
    ancestor_codes,
    child_level,
    code_prefix,
    level_for_code,
)
from gridmap.codes import CodeReading, code_notes, read_code
from gridmap.models import WGS84, Area, AreaImport, AreaVersion, hierarchy_errors

# Display boundaries are simplified per level with coverage simplification (shared edges of
# siblings stay together). The tolerance is in degrees, roughly the square root of the largest
# triangle removed: 0.0001° ≈ 10 m near Longxi. Lookups always use the full boundary.
DISPLAY_TOLERANCE_DEGREES: dict[str, float] = {
    AreaLevel.COUNTY: 0.0005,
    AreaLevel.TOWNSHIP: 0.0002,
    AreaLevel.VILLAGE: 0.0001,
    AreaLevel.GRID: 0.00002,
}
# Two boundaries are the same when they match vertex by vertex (after normalising ring order and
# start points, which Shapefiles change) within this distance, about 1 cm, or failing that when no
# point of either lies farther than it from the other.
SAME_BOUNDARY_DEGREES = 1e-7
OPTIONAL_FIELDS = ("population", "households", "synthetic")
MAX_LISTED_ERRORS = 50
_POLYGONAL = ("Polygon", "MultiPolygon")
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}
# Serialises imports: two imports planning against the same rows would both pass their checks.
_IMPORT_LOCK_KEY = 621_122_001


# --- results and errors -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerances:
    """The largest validation shares, in percent, that an import accepts."""

    max_outside_pct: float = 0.1  # of a child's area lying outside its parent
    max_overlap_pct: float = 0.1  # of a parent's area claimed by two of its children
    max_uncovered_pct: float = 1.0  # of a parent's area covered by none of its children


DEFAULT_TOLERANCES = Tolerances()


@dataclass(frozen=True)
class Problem:
    """One validation share above its tolerance."""

    check: str  # outside | overlap | uncovered
    level: str  # the level of the children checked
    code: str  # the child (outside), a sibling (overlap) or the parent (uncovered)
    other: str  # the parent (outside), the other sibling (overlap), "" (uncovered)
    share_pct: float
    limit_pct: float
    area_m2: float

    def describe(self) -> str:
        """A sentence naming the areas and the numbers."""
        values = {
            "code": self.code,
            "other": self.other,
            "share": f"{self.share_pct:.3f}",
            "limit": f"{self.limit_pct:g}",
            "m2": f"{self.area_m2:,.0f}",
        }
        if self.check == "outside":
            text = _("%(code)s lies %(share)s %% outside its parent %(other)s (%(m2)s m²)")
        elif self.check == "overlap":
            text = _("%(code)s and %(other)s overlap on %(share)s %% of their parent (%(m2)s m²)")
        else:
            text = _("%(share)s %% of %(code)s is covered by none of its children (%(m2)s m²)")
        return (text + "; " + _("tolerance %(limit)s %%.")) % values


@dataclass
class LevelReport:
    """Validation figures for the children of one level under the parents an import touched."""

    level: str
    parents: int = 0
    children: int = 0
    max_outside_pct: float = 0.0
    max_outside_code: str = ""
    max_overlap_pct: float = 0.0
    max_overlap_codes: str = ""
    max_uncovered_pct: float = 0.0
    max_uncovered_code: str = ""


@dataclass
class ValidationReport:
    """What PostGIS found after writing: per level figures, broken tolerances, repairs."""

    tolerances: Tolerances
    levels: list[LevelReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repaired: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, stored on AreaImport.report."""
        return asdict(self)


@dataclass(frozen=True)
class ImportResult:
    """What an import did; ``updated`` counts boundaries re-versioned."""

    created: int
    updated: int
    unchanged: int
    repaired: int
    attributes_updated: int
    retired: int
    report: ValidationReport
    import_id: int | None
    dry_run: bool
    # What was done to codes on the way in (padded, read from numbers): gridmap.codes kinds.
    notes: tuple[dict[str, object], ...] = ()


class AreaImportError(Exception):
    """An import that wrote nothing; ``messages`` name the features or areas concerned, and
    ``items`` hold them as {"feature", "code", "reason"} where a feature is concerned."""

    def __init__(self, messages: list[str], items: list[dict[str, object]] | None = None) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages
        self.items = items if items is not None else [{"reason": m} for m in messages]


class InvalidFeaturesError(AreaImportError):
    """Input that breaks a rule: a column, a code, a geometry or the tree."""


class ImportRefusedError(AreaImportError):
    """The written boundaries broke a validation tolerance; the transaction was rolled back."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__([problem.describe() for problem in report.problems])


# --- reading the frame --------------------------------------------------------------------------


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


# --- planning against the database ------------------------------------------------------------


@dataclass
class _Existing:
    id: int
    code: str
    level: str
    name: str
    population: int | None
    households: int | None
    synthetic: bool
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    geom: shapely.Geometry


@dataclass
class _Plan:
    create: list[_Feature] = field(default_factory=list)
    reversion: list[tuple[_Feature, _Existing]] = field(default_factory=list)
    touch: list[tuple[_Feature, _Existing]] = field(default_factory=list)
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)


def _load_existing(codes: set[str]) -> dict[str, _Existing]:
    rows = list(
        Area.objects.filter(code__in=codes)
        .annotate(wkb=AsWKB("boundary"))
        .values(
            "id",
            "code",
            "level",
            "name",
            "population",
            "households",
            "synthetic",
            "version",
            "valid_from",
            "valid_to",
            "source",
            "wkb",
        )
    )
    geoms = shapely.from_wkb([bytes(row.pop("wkb")) for row in rows])
    return {row["code"]: _Existing(**row, geom=g) for row, g in zip(rows, geoms, strict=True)}


def _same_boundaries(new: list[shapely.Geometry], old: list[shapely.Geometry]) -> np.ndarray:
    if not new:
        return np.zeros(0, dtype=bool)
    a = shapely.normalize(np.array(new, dtype=object))
    b = shapely.normalize(np.array(old, dtype=object))
    same = shapely.equals_exact(a, b, tolerance=SAME_BOUNDARY_DEGREES)
    for i in np.flatnonzero(~same):
        same[i] = shapely.hausdorff_distance(a[i], b[i]) <= SAME_BOUNDARY_DEGREES
    return same


def _check_tree(features: list[_Feature], existing: dict[str, _Existing], errors: _Errors) -> None:
    """hierarchy_errors for every feature, against parents in the file or in force in the DB."""
    in_file = {f.code: f for f in features}
    for feature in features:
        parent = None
        if feature.parent_code:
            ref = in_file.get(feature.parent_code) or existing.get(feature.parent_code)
            if ref is None or getattr(ref, "valid_to", None) is not None:
                errors.add(
                    feature,
                    _("its parent %(parent)s is neither in the file nor an area in force.")
                    % {"parent": feature.parent_code},
                )
                continue
            parent = Area(code=ref.code, level=ref.level)
        for message in hierarchy_errors(
            code=feature.code, level=feature.level, parent=parent
        ).values():
            errors.add(feature, str(message))


def _check_existing(feature: _Feature, old: _Existing, errors: _Errors) -> None:
    if old.level != feature.level:
        errors.add(
            feature,
            _("%(code)s is a %(old)s in the database; an import cannot change it to a %(new)s.")
            % {"code": feature.code, "old": old.level, "new": feature.level},
        )
    if old.valid_to is not None:
        errors.add(
            feature,
            _("%(code)s was retired on %(date)s; a retired code is not reused.")
            % {"code": feature.code, "date": old.valid_to},
        )


def _attributes_differ(feature: _Feature, old: _Existing, present: set[str]) -> bool:
    if feature.name != old.name:
        return True
    return any(getattr(feature, name) != getattr(old, name) for name in present)


def _plan(features: list[_Feature], present: set[str], valid_from: dt.date) -> _Plan:
    """Sort features into create / re-version / update in place / unchanged; check the tree."""
    codes = {f.code for f in features} | {f.parent_code for f in features if f.parent_code}
    existing = _load_existing(codes)
    errors = _Errors()
    _check_tree(features, existing, errors)
    plan = _Plan(ids={code: row.id for code, row in existing.items() if row.valid_to is None})
    matched = [(f, existing[f.code]) for f in features if f.code in existing]
    plan.create = [f for f in features if f.code not in existing]
    for feature, old in matched:
        _check_existing(feature, old, errors)
    same = _same_boundaries([f.geom for f, _old in matched], [old.geom for _f, old in matched])
    for (feature, old), unchanged in zip(matched, same, strict=True):
        if unchanged:
            plan.unchanged += 1
            if _attributes_differ(feature, old, present):
                plan.touch.append((feature, old))
        elif valid_from <= old.valid_from:
            errors.add(
                feature,
                _(
                    "its boundary changed, so valid-from must be after the current "
                    "version's (%(date)s); got %(new)s."
                )
                % {"date": old.valid_from, "new": valid_from},
            )
        else:
            plan.reversion.append((feature, old))
    errors.raise_if_any()
    return plan


# --- writing ------------------------------------------------------------------------------------


def _geos(geom: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(shapely.to_wkb(geom, hex=True), srid=WGS84)


def _create(plan: _Plan, *, source: str, valid_from: dt.date, present: set[str], bar) -> None:
    """Insert new areas level by level, so every parent has an id before its children."""
    for level in LEVEL_ORDER:
        batch = [f for f in plan.create if f.level == level]
        areas = [
            Area(
                code=f.code,
                name=f.name,
                level=f.level,
                parent_id=plan.ids[f.parent_code] if f.parent_code else None,
                boundary=_geos(f.geom),
                display_boundary=_geos(f.display),
                label_point=_geos(f.label),
                population=f.population,
                households=f.households,
                synthetic=bool(f.synthetic),
                valid_from=valid_from,
                source=source[:200],
            )
            for f in batch
        ]
        Area.objects.bulk_create(areas, batch_size=500)
        plan.ids.update({area.code: area.pk for area in areas})
        bar.update(len(batch))


def _updated_area(feature: _Feature, old: _Existing, present: set[str], now) -> Area:
    area = Area(pk=old.id, name=feature.name, updated_at=now)
    for name in present:
        setattr(area, name, getattr(feature, name))
    if area.synthetic is None:
        area.synthetic = False
    return area


def _reversion(plan: _Plan, *, source: str, valid_from: dt.date, present: set[str], bar) -> None:
    """Copy each changed area's boundary into AreaVersion, then give it the new one."""
    AreaVersion.objects.bulk_create(
        [
            AreaVersion(
                area_id=old.id,
                version=old.version,
                name=old.name,
                boundary=_geos(_as_multipolygon(old.geom)),
                population=old.population,
                households=old.households,
                valid_from=old.valid_from,
                valid_to=valid_from,
                source=old.source,
            )
            for _feature, old in plan.reversion
        ],
        batch_size=500,
    )
    now = timezone.now()
    areas = []
    for feature, old in plan.reversion:
        area = _updated_area(feature, old, present, now)
        area.boundary = _geos(feature.geom)
        area.display_boundary = _geos(feature.display)
        area.label_point = _geos(feature.label)
        area.version = old.version + 1
        area.valid_from = valid_from
        area.source = source[:200]
        areas.append(area)
    fields = ["name", "updated_at", *present, "boundary", "display_boundary", "label_point"]
    fields += ["version", "valid_from", "source"]
    Area.objects.bulk_update(areas, fields, batch_size=200)
    bar.update(len(areas))


def _touch(plan: _Plan, *, present: set[str]) -> None:
    """Update names and figures in place where the boundary did not change."""
    now = timezone.now()
    areas = [_updated_area(feature, old, present, now) for feature, old in plan.touch]
    Area.objects.bulk_update(areas, ["name", "updated_at", *present], batch_size=500)


def _retire(under: str, features: list[_Feature], valid_from: dt.date) -> tuple[int, int]:
    """Retire areas below ``under`` that the file leaves out; returns (count, id of ``under``)."""
    parent = Area.objects.current().filter(code=under).first()
    if parent is None:
        raise InvalidFeaturesError(
            [_("retire-missing-under: %(code)s is not an area in force.") % {"code": under}]
        )
    keep = {f.code for f in features}
    keep |= {code for f in features if f.level for code in ancestor_codes(f.code, f.level)}
    retired = (
        Area.objects.current()
        .filter(code__startswith=code_prefix(parent.code, parent.level))
        .exclude(code=parent.code)
        .exclude(code__in=keep)
        .update(valid_to=valid_from, updated_at=timezone.now())
    )
    return retired, parent.pk


# --- validation in PostGIS ----------------------------------------------------------------------

# Areas in m² on the spheroid (geography): correct anywhere in China without choosing a zone.
# ST_CoveredBy first: most children lie inside their parent and need no overlay at all.
_OUTSIDE_SQL = """
SELECT c.level, c.code, p.code,
       CASE WHEN ST_CoveredBy(c.boundary, p.boundary) THEN 0
            ELSE ST_Area(ST_Difference(c.boundary, p.boundary)::geography) END,
       ST_Area(c.boundary::geography)
FROM gridmap_area p
JOIN gridmap_area c ON c.parent_id = p.id AND c.valid_to IS NULL
WHERE p.id = ANY(%s)
"""
# Siblings touching along an edge intersect too; only a two-dimensional interior intersection
# ('2********') is an overlap.
_OVERLAP_SQL = """
WITH parent AS MATERIALIZED (
    SELECT id, code, ST_Area(boundary::geography) AS m2 FROM gridmap_area WHERE id = ANY(%s)
)
SELECT a.level, a.code, b.code, p.m2,
       ST_Area(ST_Intersection(a.boundary, b.boundary)::geography)
FROM parent p
JOIN gridmap_area a ON a.parent_id = p.id AND a.valid_to IS NULL
JOIN gridmap_area b ON b.parent_id = p.id AND b.valid_to IS NULL AND a.code < b.code
WHERE ST_Intersects(a.boundary, b.boundary) AND ST_Relate(a.boundary, b.boundary, '2********')
"""
_UNCOVERED_SQL = """
SELECT p.level, p.code, ST_Area(p.boundary::geography),
       ST_Area(ST_Difference(p.boundary, u.covered)::geography)
FROM gridmap_area p
CROSS JOIN LATERAL (
    SELECT ST_Union(c.boundary) AS covered FROM gridmap_area c
    WHERE c.parent_id = p.id AND c.valid_to IS NULL
) u
WHERE p.id = ANY(%s) AND u.covered IS NOT NULL
"""


def _share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _rows(sql: str, parent_ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [parent_ids])
        return cursor.fetchall()


def _validate(parent_ids: set[int], tolerances: Tolerances, repaired: list) -> ValidationReport:
    """Outside / overlap / uncovered shares for the children of ``parent_ids``, in PostGIS."""
    report = ValidationReport(tolerances=tolerances, repaired=repaired)
    levels: dict[str, LevelReport] = {}
    ids = sorted(parent_ids)

    def level_report(level: str) -> LevelReport:
        return levels.setdefault(level, LevelReport(level=level))

    def check(kind: str, level: str, code: str, other: str, share: float, m2: float) -> None:
        limit = getattr(tolerances, f"max_{kind}_pct")
        if share > limit:
            report.problems.append(Problem(kind, level, code, other, share, limit, m2))

    for level, code, parent, outside_m2, child_m2 in _rows(_OUTSIDE_SQL, ids):
        row, share = level_report(level), _share(outside_m2, child_m2)
        row.children += 1
        if share > row.max_outside_pct:
            row.max_outside_pct, row.max_outside_code = share, code
        check("outside", level, code, parent, share, outside_m2)
    for level, code_a, code_b, parent_m2, overlap_m2 in _rows(_OVERLAP_SQL, ids):
        row, share = level_report(level), _share(overlap_m2, parent_m2)
        if share > row.max_overlap_pct:
            row.max_overlap_pct, row.max_overlap_codes = share, f"{code_a} / {code_b}"
        check("overlap", level, code_a, code_b, share, overlap_m2)
    for parent_level, code, parent_m2, uncovered_m2 in _rows(_UNCOVERED_SQL, ids):
        level = child_level(parent_level) or parent_level
        row, share = level_report(level), _share(uncovered_m2, parent_m2)
        row.parents += 1
        if share > row.max_uncovered_pct:
            row.max_uncovered_pct, row.max_uncovered_code = share, code
        check("uncovered", level, code, "", share, uncovered_m2)
    report.levels = [levels[level] for level in LEVEL_ORDER if level in levels]
    return report


# --- the write path -----------------------------------------------------------------------------


def import_areas(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    source_crs: str,
    valid_from: dt.date,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    progress: bool = False,
    dry_run: bool = False,
    retire_missing_under: str | None = None,
    read_notes: dict[str, object] | None = None,
) -> ImportResult:
    """Create, re-version or update areas from ``frame``, all or nothing, and validate the tree.

    ``frame`` has columns code, name and geometry; level, parent_code, population, households
    and synthetic are optional (level and parent come from the code). Raises
    InvalidFeaturesError for bad input and ImportRefusedError when the written boundaries break
    ``tolerances``. ``dry_run`` does everything, then rolls back; ``retire_missing_under`` (a
    code) retires the areas below it that the frame leaves out; ``read_notes`` (what reading
    the file found, e.g. {"encoding": {...}}) are stored with the report.
    """
    features, present, repaired = _prepare(frame)
    bar = tqdm(
        total=len(features), desc=_("Importing"), unit="area", file=sys.stderr, disable=not progress
    )
    with bar, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])
        plan = _plan(features, present, valid_from)
        _create(plan, source=source, valid_from=valid_from, present=present, bar=bar)
        _reversion(plan, source=source, valid_from=valid_from, present=present, bar=bar)
        _touch(plan, present=present)
        bar.update(len(features) - bar.n)
        parent_ids = {plan.ids[f.parent_code] for f in features if f.parent_code}
        parent_ids |= {plan.ids[f.code] for f in features}
        retired = 0
        if retire_missing_under:
            retired, under_id = _retire(retire_missing_under, features, valid_from)
            parent_ids.add(under_id)
        bar.set_description(_("Validating"))
        report = _validate(parent_ids, tolerances, repaired)
        if not report.ok:
            raise ImportRefusedError(report)
        result = ImportResult(
            created=len(plan.create),
            updated=len(plan.reversion),
            unchanged=plan.unchanged,
            repaired=len(repaired),
            attributes_updated=len(plan.touch),
            retired=retired,
            report=report,
            import_id=None,
            dry_run=dry_run,
            notes=tuple(code_notes((f.row, f.code_reading) for f in features)),
        )
        record = AreaImport.objects.create(
            source=source[:500],
            source_crs=source_crs[:50],
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            repaired=result.repaired,
            report={
                **report.as_dict(),
                "attributes_updated": result.attributes_updated,
                "retired": retired,
                "valid_from": valid_from.isoformat(),
                "notes": list(result.notes),
                **(read_notes or {}),
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return result if dry_run else _with_id(result, record.pk)


def _with_id(result: ImportResult, import_id: int) -> ImportResult:
    return ImportResult(**{**result.__dict__, "import_id": import_id})
