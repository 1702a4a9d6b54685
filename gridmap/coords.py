"""Coordinates in China: validate input points and bring GCJ-02 / BD-09 into WGS84.

GCJ-02 (Amap, Tencent, WeChat with type 'gcj02') and BD-09 (Baidu) are obfuscated datums; around
Longxi the GCJ-02 shift is 249-300 m. The inverse is iterative (prcoords' ``*_bored``), sub-metre.
CGCS2000 (EPSG:4490) is treated as WGS84: they differ by centimetres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import prcoords
from django.db import models
from django.utils.translation import gettext_lazy as _


class InputCRS(models.TextChoices):
    WGS84 = "wgs84", "WGS84 / CGCS2000"
    GCJ02 = "gcj02", "GCJ-02"
    BD09 = "bd09", "BD-09"


# Mainland China and its surroundings: a point outside this box that lands inside it once its two
# numbers are exchanged was almost surely sent as (lat, lon).
CHINA_LON = (73.0, 136.0)
CHINA_LAT = (3.0, 54.0)


class CoordinateError(ValueError):
    """A coordinate that cannot be used, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LonLat:
    lon: float
    lat: float


def parse_number(raw: object, field: str) -> float:
    """A finite float from user input, or a CoordinateError naming the field."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise CoordinateError(field, _("%(field)s is required.") % {"field": field})
    if isinstance(raw, bool):
        # JSON true/false are no coordinates, though Python reads them as 1 and 0.
        raise CoordinateError(
            field, _("%(field)s must be a number, got %(raw)r.") % {"field": field, "raw": raw}
        )
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CoordinateError(
            field, _("%(field)s must be a number, got %(raw)r.") % {"field": field, "raw": raw}
        ) from None
    if not math.isfinite(value):
        raise CoordinateError(field, _("%(field)s must be a finite number.") % {"field": field})
    return value


def _in_china(lon: float, lat: float) -> bool:
    return CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def validate_lonlat(lon: float, lat: float) -> LonLat:
    """Check ranges and catch swapped coordinates; raise CoordinateError saying which."""
    swapped = not _in_china(lon, lat) and _in_china(lat, lon)
    if swapped:
        raise CoordinateError(
            "lat",
            _(
                "lon and lat look swapped: lon=%(lon)s, lat=%(lat)s is outside China, but "
                "lon=%(lat)s, lat=%(lon)s is inside. Send longitude as lon and latitude as lat."
            )
            % {"lon": lon, "lat": lat},
        )
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError("lon", _("lon must be between -180 and 180, got %s.") % lon)
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError("lat", _("lat must be between -90 and 90, got %s.") % lat)
    return LonLat(lon, lat)


def to_wgs84(lon: float, lat: float, crs: str) -> LonLat:
    """The WGS84 position of a point given in ``crs`` (wgs84, gcj02 or bd09)."""
    if crs == InputCRS.WGS84:
        return LonLat(lon, lat)
    if not _in_china(lon, lat):
        # Outside China the obfuscation is not applied, so there is nothing to undo.
        return LonLat(lon, lat)
    if crs == InputCRS.GCJ02:
        result = prcoords.gcj_wgs_bored((lat, lon))
    elif crs == InputCRS.BD09:
        result = prcoords.bd_wgs_bored((lat, lon))
    else:
        raise CoordinateError("crs", _("crs must be one of wgs84, gcj02, bd09; got %r.") % crs)
    return LonLat(float(result.lon), float(result.lat))


def parse_point(raw_lon: object, raw_lat: object, raw_crs: object = None) -> LonLat:
    """User input (lon, lat, crs) → a validated WGS84 point, or a CoordinateError."""
    crs = str(raw_crs).strip().lower() if raw_crs not in (None, "") else InputCRS.WGS84
    if crs not in InputCRS.values:
        raise CoordinateError(
            "crs", _("crs must be one of wgs84, gcj02, bd09; got %(crs)r.") % {"crs": raw_crs}
        )
    point = validate_lonlat(parse_number(raw_lon, "lon"), parse_number(raw_lat, "lat"))
    return to_wgs84(point.lon, point.lat, crs)


def gcj02_to_wgs84_array(coords: np.ndarray) -> np.ndarray:
    """Convert an (n, 2) array of GCJ-02 lon/lat to WGS84 (iterative inverse, sub-metre)."""
    out = np.empty_like(coords, dtype=float)
    for i, (lon, lat) in enumerate(coords[:, :2]):
        converted = to_wgs84(float(lon), float(lat), InputCRS.GCJ02)
        out[i, 0], out[i, 1] = converted.lon, converted.lat
    if coords.shape[1] > 2:
        out[:, 2:] = coords[:, 2:]
    return out


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """The GCJ-02 position (Amap, Tencent) of a WGS84 point; unchanged outside China."""
    if not _in_china(lon, lat):
        return LonLat(lon, lat)
    result = prcoords.wgs_gcj((lat, lon))
    return LonLat(float(result.lon), float(result.lat))


def gcj02_to_bd09(lon: float, lat: float) -> LonLat:
    """The BD-09 position (Baidu) of a GCJ-02 point (Baidu's offset is applied on GCJ-02)."""
    if not _in_china(lon, lat):
        return LonLat(lon, lat)
    result = prcoords.gcj_bd((lat, lon))
    return LonLat(float(result.lon), float(result.lat))


def wgs84_to_bd09(lon: float, lat: float) -> LonLat:
    """The BD-09 position (Baidu) of a WGS84 point: WGS84 → GCJ-02 → BD-09."""
    gcj = wgs84_to_gcj02(lon, lat)
    return gcj02_to_bd09(gcj.lon, gcj.lat)
