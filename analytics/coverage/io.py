"""Service-point files: GeoJSON, GeoPackage, Shapefile (via gridmap.io) or CSV with lon/lat.

The CRS handling is gridmap.io's (the file's own CRS, or --source-crs: a named choice or
EPSG:<number>, GCJ-02/BD-09 shifts undone); a CSV is read as WGS84 unless --source-crs says
otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from django.utils.translation import gettext as _

from analytics.choices import ServicePointKind
from gridmap import io

# Column names looked for, first match wins.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称"),
    "kind": ("kind", "类型"),
    "unit": ("unit", "handling_unit", "center"),
    "active": ("active",),
}
LON_COLUMNS = ("lon", "lng", "longitude", "x", "经度")
LAT_COLUMNS = ("lat", "latitude", "y", "纬度")
# A kind may be written as its code or as its Chinese or English name.
KIND_NAMES: dict[str, str] = {
    "调解室": ServicePointKind.MEDIATION_ROOM,
    "驻点窗口": ServicePointKind.WINDOW,
    "窗口": ServicePointKind.WINDOW,
    "调解员驻地": ServicePointKind.MEDIATOR_BASE,
    "其他": ServicePointKind.OTHER,
    **{str(label).lower(): value for value, label in ServicePointKind.choices},
    **{value: value for value in ServicePointKind.values},
}


@dataclass(frozen=True)
class PointRow:
    """One service point as read from a file (WGS84), before validation."""

    row: int
    name: str
    kind: str
    lon: float | None
    lat: float | None
    unit: str
    active: bool


def read_points(
    path: Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    source_crs: str | None = None,
    default_kind: str = ServicePointKind.OTHER,
) -> tuple[list[PointRow], str]:
    """The rows of a service-point file and a label of the CRS it came in."""
    source = io.parse_source_crs(source_crs) if source_crs else None
    if path.suffix.lower() == ".csv":
        frame = _read_csv(path, encoding=encoding, declared=source is not None)
    else:
        frame = io.read_boundaries(path, layer=layer, encoding=encoding)
    frame, label = io.to_wgs84_frame(frame, source)
    columns = {
        key: next((c for c in names if c in frame.columns), None) for key, names in COLUMNS.items()
    }
    if columns["name"] is None:
        raise io.BoundaryFileError(
            _("The file has no name column; its columns: %(columns)s.")
            % {"columns": ", ".join(str(c) for c in frame.columns if c != frame.geometry.name)}
        )
    rows = []
    for number, (_index, record) in enumerate(frame.iterrows(), start=1):
        geometry = record[frame.geometry.name]
        lon = lat = None
        if geometry is not None and not geometry.is_empty and geometry.geom_type == "Point":
            lon, lat = float(geometry.x), float(geometry.y)
            if not (math.isfinite(lon) and math.isfinite(lat)):
                lon = lat = None
        rows.append(
            PointRow(
                row=number,
                name=_text(record[columns["name"]]),
                kind=_text(record[columns["kind"]]) if columns["kind"] else default_kind,
                lon=lon,
                lat=lat,
                unit=_text(record[columns["unit"]]) if columns["unit"] else "",
                active=_flag(record[columns["active"]]) if columns["active"] else True,
            )
        )
    return rows, label


def _read_csv(path: Path, *, encoding: str | None, declared: bool) -> gpd.GeoDataFrame:
    if not path.exists():
        raise io.BoundaryFileError(_("File not found: %(path)s") % {"path": path})
    try:
        table = pd.read_csv(path, encoding=encoding or "utf-8-sig", dtype=str)
    except (UnicodeDecodeError, pd.errors.ParserError, LookupError) as exc:
        raise io.BoundaryFileError(
            _("Cannot read %(path)s as CSV: %(error)s") % {"path": path, "error": exc}
        ) from None
    lon = next((c for c in LON_COLUMNS if c in table.columns), None)
    lat = next((c for c in LAT_COLUMNS if c in table.columns), None)
    if lon is None or lat is None:
        raise io.BoundaryFileError(
            _("A CSV file needs lon and lat columns; its columns: %(columns)s.")
            % {"columns": ", ".join(table.columns)}
        )
    xs = pd.to_numeric(table[lon], errors="coerce")
    ys = pd.to_numeric(table[lat], errors="coerce")
    frame = gpd.GeoDataFrame(
        table.drop(columns=[lon, lat]), geometry=gpd.points_from_xy(xs, ys), crs=None
    )
    # Rows without numbers keep an empty point: reported by row, not dropped.
    return frame if declared else frame.set_crs(io.WGS84)


def _text(value: object) -> str:
    return (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    )


def _flag(value: object) -> bool:
    return _text(value).lower() not in ("0", "false", "no", "n", "否", "停用")
