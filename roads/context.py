"""The context of the small maps: village and grid boundaries with their names and the roads of
the active network around a view, cut to the user's jurisdiction and a margin around it.

Read by roads.context_api (GET /api/map/context) for static/js/map-context.js. Roads sit above
gridmap in the layering, so this one module can give both in one request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon

from gridmap.choices import AreaLevel
from gridmap.models import Area
from roads.models import RoadEdge
from roads.queries import active_network

# How far beyond the jurisdiction's extent the context reaches (degrees, about 3 km): a grid
# leader sees the neighbouring grids and villages, not the county.
CONTEXT_MARGIN_DEG = 0.03
# Above this span (degrees) a view is too wide for grid cells and single roads: villages only.
DETAIL_SPAN_DEG = 0.15
MAX_AREAS = 400
MAX_ROADS = 4000


@dataclass(frozen=True)
class MapContext:
    """What a small map draws under its data; ``complete`` is False when a cap was reached."""

    areas: list[dict]
    roads: list[dict]
    network: str | None
    detail: bool
    complete: bool


def visible_window(area: Area, bbox: Polygon) -> Polygon | None:
    """``bbox`` cut to ``area``'s extent plus CONTEXT_MARGIN_DEG, or None when the view shows
    nothing of ``area`` itself (a view elsewhere gets no context)."""
    # The extent is computed in the database: a county's outline is never sent over.
    extent = Area.objects.filter(pk=area.pk, boundary__intersects=bbox).aggregate(
        extent=Extent("boundary")
    )["extent"]
    if extent is None:
        return None
    west, south, east, north = extent
    margin = CONTEXT_MARGIN_DEG
    reach = Polygon.from_bbox((west - margin, south - margin, east + margin, north + margin))
    window = bbox.intersection(reach)
    if window.empty:
        return None
    window = Polygon.from_bbox(window.extent)
    window.srid = 4326
    return window


def _feature(geometry: str, properties: dict) -> dict:
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": properties}


def map_context(*, area: Area, bbox: Polygon) -> MapContext | None:
    """Villages, grids and roads in ``bbox`` near ``area`` (None: the view misses ``area``)."""
    window = visible_window(area, bbox)
    if window is None:
        return None
    # Detail follows what the view shows, not the part of it near the jurisdiction.
    west, south, east, north = bbox.extent
    detail = max(east - west, north - south) <= DETAIL_SPAN_DEG
    levels = [AreaLevel.VILLAGE, AreaLevel.GRID] if detail else [AreaLevel.VILLAGE]
    rows = list(
        Area.objects.current()
        .filter(level__in=levels, display_boundary__bboverlaps=window)
        .annotate(shape=AsGeoJSON("display_boundary", precision=6))
        .order_by("level", "code")
        .values_list("code", "name", "level", "shape", "label_point")[: MAX_AREAS + 1]
    )
    areas = [
        _feature(
            shape,
            {
                "code": code,
                "name": name,
                "level": level,
                "label": [round(point.x, 6), round(point.y, 6)] if point else None,
            },
        )
        for code, name, level, shape, point in rows[:MAX_AREAS]
    ]
    network = active_network()
    roads: list[dict] = []
    more_roads = False
    if network is not None and detail:
        edges = list(
            RoadEdge.objects.filter(network=network, geom__bboverlaps=window)
            .annotate(shape=AsGeoJSON("geom", precision=6))
            .order_by("id")
            .values_list("shape", "road_class", "name")[: MAX_ROADS + 1]
        )
        more_roads = len(edges) > MAX_ROADS
        roads = [
            _feature(shape, {"road_class": road_class, "name": name})
            for shape, road_class, name in edges[:MAX_ROADS]
        ]
    return MapContext(
        areas=areas,
        roads=roads,
        network=network.name if network is not None else None,
        detail=detail,
        complete=len(rows) <= MAX_AREAS and not more_roads,
    )
