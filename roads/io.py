"""Road files in: GeoPackage, Shapefile, GeoJSON (through gridmap.io) and OpenStreetMap extracts.

GIS files go through the same reading, CRS checks and reprojection as the boundary importer
(``gridmap.io``); OpenStreetMap ``.osm``/``.osm.pbf`` files are read with GDAL's OSM driver
(layer ``lines``, always WGS84). Either way the result is a frame with the columns ``class``,
``name``, ``oneway`` and ``bridge`` holding the file's raw values, and a geometry column; turning
those values into road classes and directions is ``roads.classes``'s work.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.utils.translation import gettext as _

from gridmap import io as gridmap_io
from gridmap.io import BoundaryFileError as RoadFileError
from roads.models import RoadEdge, RoadNetwork

__all__ = ["RoadFileError", "edges_frame", "is_osm", "read_roads", "write_roads"]

# Attribute names looked for when no --class-field/--name-field/--oneway-field is given.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "class": ("class", "road_class", "highway", "fclass", "等级", "道路等级", "行政等级"),
    "name": ("name", "NAME", "名称", "路名", "道路名称"),
    "oneway": ("oneway", "ONEWAY", "单行", "单向"),
}
OSM_LAYER = "lines"
EXPORT_LAYER = "roads"
# other_tags of GDAL's OSM driver: "key"=>"value","key"=>"value".
_OSM_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def is_osm(path: Path) -> bool:
    """Whether ``path`` names an OpenStreetMap extract (.osm or .osm.pbf)."""
    name = path.name.lower()
    return name.endswith(".osm") or name.endswith(".osm.pbf") or name.endswith(".pbf")


def read_roads(
    path: Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    source_crs: str | None = None,
    fields: dict[str, str | None] | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """The file's line features in EPSG:4326 with the columns class, name, oneway, bridge (raw
    values, None where the file has no such attribute), and a label of the CRS they came in.
    ``fields`` names the attributes of a GIS file (keys ``class``, ``name``, ``oneway``)."""
    if is_osm(path):
        return _read_osm(path), "wgs84 (OpenStreetMap)"
    source = gridmap_io.parse_source_crs(source_crs) if source_crs else None
    raw = gridmap_io.read_boundaries(path, layer=layer, encoding=encoding)
    chosen = fields or {}
    selected = gridmap_io.select_fields(raw, chosen, aliases=FIELD_ALIASES, required=())
    frame, label = gridmap_io.to_wgs84_frame(selected, source)
    for column in ("class", "name", "oneway"):
        if column not in frame:
            frame[column] = None
    frame["bridge"] = False
    return frame, label


def _read_osm(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise RoadFileError(_("File not found: %(path)s") % {"path": path})
    try:
        frame = pyogrio.read_dataframe(
            path, layer=OSM_LAYER, columns=["osm_id", "name", "highway", "other_tags"]
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise RoadFileError(
            _("Cannot read %(path)s as an OpenStreetMap extract: %(error)s")
            % {"path": path, "error": exc}
        ) from None
    tags = [_osm_tags(text) for text in frame["other_tags"]]
    result = gpd.GeoDataFrame(
        {
            "class": frame["highway"],
            "name": frame["name"],
            "oneway": [t.get("oneway") for t in tags],
            # Bridges, tunnels and ways on another layer cross others without meeting them.
            "bridge": [
                t.get("bridge", "no") != "no"
                or t.get("tunnel", "no") != "no"
                or t.get("layer", "0") not in ("0", "")
                for t in tags
            ],
            "osm_id": frame["osm_id"],
        },
        geometry=frame.geometry.values,
        crs=frame.crs or "EPSG:4326",
    )
    return result.to_crs(4326)


def _osm_tags(text: object) -> dict[str, str]:
    if not isinstance(text, str):
        return {}
    return {key: value for key, value in _OSM_TAG.findall(text)}


def edges_frame(network: RoadNetwork) -> gpd.GeoDataFrame:
    """The edges of ``network`` as features (class, name, oneway yes/no; EPSG:4326), in the
    attribute names and values ``read_roads`` understands, so an export imports back."""
    rows = list(
        RoadEdge.objects.filter(network=network)
        .order_by("id")
        .annotate(wkb=AsWKB("geom"))
        .values_list("road_class", "name", "oneway", "wkb")
    )
    return gpd.GeoDataFrame(
        {
            "class": [row[0] for row in rows],
            "name": [row[1] for row in rows],
            "oneway": ["yes" if row[2] else "no" for row in rows],
        },
        geometry=shapely.from_wkb([bytes(row[3]) for row in rows]),
        crs=4326,
    )


def write_roads(frame: gpd.GeoDataFrame, path: Path, fmt: str) -> None:
    """Write road features as GeoJSON, Shapefile or GeoPackage (layer ``roads``)."""
    gridmap_io.write_boundaries(frame, path, fmt, layer=EXPORT_LAYER)
