"""Boundary files in and out: GeoJSON, Shapefile (also zipped) and GeoPackage via pyogrio.

The source CRS is the file's own unless the user names one. User-supplied CRS text never reaches
GDAL (gis.W001 on GDAL < 3.9): only the named choices below and ``EPSG:<integer>`` are accepted,
checked with pyproj, and applied with pyproj.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from gridmap.coords import InputCRS, to_wgs84
from gridmap.encodings import EncodingChoice, EncodingError, choose_encoding

WGS84 = 4326

# Named source CRS choices → the EPSG code the coordinates are declared in. GCJ-02 and BD-09 are
# lon/lat with an obfuscating shift on top, undone after declaring them as WGS84.
NAMED_CRS: dict[str, int] = {
    "wgs84": 4326,
    "cgcs2000": 4490,
    InputCRS.GCJ02.value: 4326,
    InputCRS.BD09.value: 4326,
}
# Longitudes and latitudes of mainland China and its islands, generously rounded: where x and y
# fall only the other way round, the file has them swapped.
CHINA_LONGITUDES = (73.0, 136.0)
CHINA_LATITUDES = (3.0, 54.0)
_EPSG = re.compile(r"^EPSG:([0-9]{1,6})$", re.IGNORECASE)

# Column names the importer looks for when no --*-field option is given, first match wins.
# ``parent`` is what export_areas writes into a Shapefile (field names ≤ 10 characters).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "name": ("name",),
    "level": ("level",),
    "parent_code": ("parent_code", "parent"),
    "population": ("population",),
    "households": ("households",),
    "synthetic": ("synthetic",),
}
REQUIRED_FIELDS = ("code", "name")

EXPORT_FORMATS: dict[str, str] = {"geojson": "GeoJSON", "shp": "ESRI Shapefile", "gpkg": "GPKG"}
_FORMAT_BY_SUFFIX = {".geojson": "geojson", ".json": "geojson", ".shp": "shp", ".gpkg": "gpkg"}
EXPORT_LAYER = "areas"
# DBF field names hold at most 10 characters.
SHAPEFILE_FIELDS = {"parent_code": "parent"}


class BoundaryFileError(ValueError):
    """A boundary file, layer, field or CRS option that cannot be used; the message says which."""


@dataclass(frozen=True)
class SourceCRS:
    """How to read the coordinates of a file: the CRS to declare and any shift to undo."""

    label: str
    crs: CRS
    obfuscation: str | None = None


def parse_source_crs(text: str) -> SourceCRS:
    """A --source-crs value (a named choice or EPSG:<integer>) checked with pyproj, never GDAL."""
    key = text.strip().lower()
    if key in NAMED_CRS:
        obfuscation = key if key in (InputCRS.GCJ02, InputCRS.BD09) else None
        return SourceCRS(label=key, crs=CRS.from_epsg(NAMED_CRS[key]), obfuscation=obfuscation)
    match = _EPSG.match(text.strip())
    if not match:
        raise BoundaryFileError(
            _("--source-crs must be one of %(names)s or EPSG:<number>; got %(text)r.")
            % {"names": ", ".join(NAMED_CRS), "text": text}
        )
    code = int(match.group(1))
    try:
        crs = CRS.from_epsg(code)
    except CRSError:
        raise BoundaryFileError(_("EPSG:%(code)d is not a known CRS.") % {"code": code}) from None
    if not (crs.is_geographic or crs.is_projected):
        raise BoundaryFileError(
            _("EPSG:%(code)d (%(name)s) is neither a geographic nor a projected CRS.")
            % {"code": code, "name": crs.name}
        )
    return SourceCRS(label=f"EPSG:{code}", crs=crs)


def read_boundaries(
    path: Path, *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """The features of one layer of a GeoJSON, Shapefile (or .zip of one) or GeoPackage file."""
    return read_boundary_file(path, layer=layer, encoding=encoding)[0]


def read_boundary_file(
    path: Path, *, layer: str | None = None, encoding: str | None = None
) -> tuple[gpd.GeoDataFrame, EncodingChoice]:
    """read_boundaries, and the attribute encoding used with the reason for it: ``encoding``
    when given, else a Shapefile's .cpg, else what its .dbf decodes as (gridmap.encodings)."""
    if not path.exists():
        raise BoundaryFileError(_("File not found: %(path)s") % {"path": path})
    try:
        layers = [str(name) for name, _geometry_type in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as exc:
        raise BoundaryFileError(
            _("Cannot read %(path)s as GeoJSON, Shapefile or GeoPackage: %(error)s")
            % {"path": path, "error": exc}
        ) from None
    if layer is not None and layer not in layers:
        raise BoundaryFileError(
            _("Layer %(layer)r is not in %(path)s; its layers: %(layers)s.")
            % {"layer": layer, "path": path, "layers": ", ".join(layers)}
        )
    if layer is None and len(layers) > 1:
        raise BoundaryFileError(
            _("%(path)s has several layers (%(layers)s): choose one with --layer.")
            % {"path": path, "layers": ", ".join(layers)}
        )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise BoundaryFileError(
                _("Unknown encoding %(encoding)r.") % {"encoding": encoding}
            ) from None
    layer = layer or layers[0]
    try:
        choice = choose_encoding(path, layer, encoding)
        frame = gpd.read_file(path, layer=layer, encoding=choice.encoding, engine="pyogrio")
    except EncodingError as exc:
        raise BoundaryFileError(str(exc)) from None
    except UnicodeDecodeError:
        raise BoundaryFileError(
            _(
                "The attribute table is not %(encoding)s: name its encoding with "
                "--encoding, e.g. --encoding GB18030, or leave the option out to detect it."
            )
            % {"encoding": choice.encoding}
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        raise BoundaryFileError(
            _("Layer %(layer)s of %(path)s has no features.") % {"layer": layer, "path": path}
        )
    return frame, choice


def select_fields(
    frame: gpd.GeoDataFrame,
    chosen: dict[str, str | None],
    *,
    aliases: dict[str, tuple[str, ...]] = FIELD_ALIASES,
    required: tuple[str, ...] = REQUIRED_FIELDS,
) -> gpd.GeoDataFrame:
    """The frame with the importer's column names, from --*-field options or the usual names
    (``aliases``: the boundary importer's by default; the road importer passes its own)."""
    columns: dict[str, str] = {}
    available = [str(c) for c in frame.columns if c != frame.geometry.name]
    for field, names in aliases.items():
        explicit = chosen.get(field)
        if explicit is not None and explicit not in available:
            raise BoundaryFileError(
                _("Field %(field)r (for %(role)s) is not in the file; its fields: %(fields)s.")
                % {"field": explicit, "role": field, "fields": ", ".join(available)}
            )
        found = explicit or next((a for a in names if a in available), None)
        if found is None and field in required:
            raise BoundaryFileError(
                _(
                    "The file has no %(role)r field; name it with --%(option)s-field. "
                    "Its fields: %(fields)s."
                )
                % {"role": field, "option": field.split("_")[0], "fields": ", ".join(available)}
            )
        if found is not None:
            columns[found] = field
    selected = frame[[*columns, frame.geometry.name]].rename(columns=columns)
    return selected.rename_geometry("geometry") if frame.geometry.name != "geometry" else selected


def _has_coordinates(frame: gpd.GeoDataFrame) -> bool:
    # Features without geometry are reported one by one by the importer, not as a CRS problem.
    return bool((~frame.geometry.isna() & ~frame.geometry.is_empty).any())


def _plausible_lonlat(frame: gpd.GeoDataFrame) -> bool:
    if not _has_coordinates(frame):
        return True
    minx, miny, maxx, maxy = frame.total_bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def _in_china(x: tuple[float, float], y: tuple[float, float]) -> bool:
    lon, lat = CHINA_LONGITUDES, CHINA_LATITUDES
    return lon[0] <= x[0] <= x[1] <= lon[1] and lat[0] <= y[0] <= y[1] <= lat[1]


def _check_not_swapped(frame: gpd.GeoDataFrame) -> None:
    """Refuse lon/lat whose x and y are plausible only the other way round, naming the fix."""
    if not _has_coordinates(frame):
        return
    minx, miny, maxx, maxy = frame.total_bounds
    if not _in_china((minx, maxx), (miny, maxy)) and _in_china((miny, maxy), (minx, maxx)):
        raise BoundaryFileError(
            _(
                "Longitude and latitude look swapped: x runs %(x0).6g–%(x1).6g, which is a "
                "latitude in China, and y runs %(y0).6g–%(y1).6g, a longitude. Export the file "
                "again with x = longitude and y = latitude, or import it with --swap-xy."
            )
            % {"x0": minx, "x1": maxx, "y0": miny, "y1": maxy}
        )


def swap_xy(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with x and y of every coordinate exchanged (--swap-xy)."""
    frame = frame.copy()
    swapped = shapely.transform(frame.geometry.values, lambda xy: xy[:, ::-1])
    frame[frame.geometry.name] = gpd.GeoSeries(swapped, index=frame.index, crs=frame.crs)
    return frame


def to_wgs84_frame(
    frame: gpd.GeoDataFrame, source: SourceCRS | None
) -> tuple[gpd.GeoDataFrame, str]:
    """The frame in EPSG:4326 and a label of the CRS it came in, for the import record."""
    if source is not None:
        frame, label = frame.set_crs(source.crs, allow_override=True), source.label
    elif frame.crs is None:
        _check_not_swapped(frame)
        if not _plausible_lonlat(frame):
            raise BoundaryFileError(
                _(
                    "The file has no CRS and its coordinates (bounds %(bounds)s) are not "
                    "longitude/latitude: say which CRS they are in with --source-crs, "
                    "e.g. --source-crs EPSG:4544."
                )
                % {"bounds": _bounds(frame)}
            )
        frame, label = frame.set_crs(WGS84), _("wgs84 (assumed: file has no CRS)")
    else:
        epsg = frame.crs.to_epsg()
        label = (f"EPSG:{epsg}" if epsg else frame.crs.name)[:50]
    if frame.crs.is_geographic:
        _check_not_swapped(frame)
    if frame.crs.is_geographic and not _plausible_lonlat(frame):
        raise BoundaryFileError(
            _(
                "The coordinates (bounds %(bounds)s) are not longitude/latitude, yet the CRS is "
                "%(crs)s (a GeoJSON file without a crs member always reads as WGS84): say which "
                "CRS they are in with --source-crs, e.g. --source-crs EPSG:4544."
            )
            % {"bounds": _bounds(frame), "crs": label}
        )
    frame = frame.to_crs(WGS84)
    if source is not None and source.obfuscation is not None:
        converted = undo_obfuscation(frame.geometry.values, source.obfuscation)
        frame = frame.copy()
        frame[frame.geometry.name] = gpd.GeoSeries(converted, index=frame.index, crs=WGS84)
    return frame, label


def _bounds(frame: gpd.GeoDataFrame) -> str:
    return ", ".join(f"{value:.6g}" for value in frame.total_bounds)


def undo_obfuscation(geometries: np.ndarray, crs: str) -> np.ndarray:
    """Bring GCJ-02 / BD-09 geometries to WGS84 with gridmap.coords' iterative inverse."""

    def convert(xy: np.ndarray) -> np.ndarray:
        # Shared edges repeat every vertex; convert each distinct vertex once.
        unique, inverse = np.unique(xy, axis=0, return_inverse=True)
        converted = np.array([_wgs84_xy(float(x), float(y), crs) for x, y in unique])
        return converted.reshape(-1, 2)[inverse.ravel()]

    return shapely.transform(np.asarray(geometries, dtype=object), convert)


def _wgs84_xy(lon: float, lat: float, crs: str) -> tuple[float, float]:
    point = to_wgs84(lon, lat, crs)
    return point.lon, point.lat


def format_for_path(path: Path) -> str:
    """The export format implied by a file name's extension."""
    fmt = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise BoundaryFileError(
            _("Cannot tell the format from %(name)r: use .geojson, .shp or .gpkg, or --format.")
            % {"name": path.name}
        )
    return fmt


def write_boundaries(
    frame: gpd.GeoDataFrame, path: Path, fmt: str, *, layer: str = EXPORT_LAYER
) -> None:
    """Write ``frame`` (EPSG:4326) as GeoJSON, a UTF-8 Shapefile (with .cpg) or a GeoPackage
    (layer ``layer``; the road export names its own)."""
    options: dict[str, object] = {}
    if fmt == "shp":
        frame = frame.rename(columns=SHAPEFILE_FIELDS)
        options["encoding"] = "UTF-8"
    elif fmt == "gpkg":
        options["layer"] = layer
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_file(path, driver=EXPORT_FORMATS[fmt], engine="pyogrio", **options)


def areas_frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    """A GeoDataFrame from area rows whose ``wkb`` key holds the boundary as WKB."""
    geometry = shapely.from_wkb([bytes(row.pop("wkb")) for row in rows])
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    for column in ("population", "households"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    if "valid_from" in frame:
        frame["valid_from"] = frame["valid_from"].map(lambda d: d.isoformat())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
