"""Read paths of analytics: the matters of a filter, grid cells and their contiguity, clusters.

Raw SQL is used where PostGIS does the work (contiguity, DBSCAN); every value is a parameter and
matter filters arrive as the compiled, parameterised SQL of a Django queryset.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import FloatField, Func, QuerySet

from analytics.choices import Weights
from gridmap.choices import AreaLevel
from gridmap.models import Area
from incidents.models import Category, Incident
from incidents.rates import _moment

METRIC_SRID = 4544  # CGCS2000 Gauss-Krüger 3° zone, central meridian 105°E (Longxi)


@dataclass(frozen=True)
class MatterFilter:
    """Which matters an analysis counts: received in [start, end) in ``area``'s subtree."""

    area: Area
    start: dt.date
    end: dt.date
    kind: str = ""
    category: str = ""  # a Category code
    # Matters imported from past ledgers (onboarding) count unless left out here.
    include_imported: bool = True

    def as_dict(self) -> dict[str, str]:
        """The filter as stored with a run."""
        return {"kind": self.kind, "category": self.category}


def matters(flt: MatterFilter, incidents: QuerySet[Incident] | None = None) -> QuerySet[Incident]:
    """The matters of ``flt``; ``incidents`` narrows them (a user's visible matters)."""
    queryset = Incident.objects.all() if incidents is None else incidents
    queryset = queryset.filter(
        grid__code__startswith=flt.area.code_prefix,
        received_at__gte=_moment(flt.start),
        received_at__lt=_moment(flt.end),
    )
    if flt.kind:
        queryset = queryset.filter(kind=flt.kind)
    if flt.category:
        queryset = queryset.filter(category__code=flt.category)
    if not flt.include_imported:
        queryset = queryset.filter(imported=False)
    return queryset.order_by()


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


@dataclass(frozen=True)
class Points:
    """Matters as arrays: WGS84 lon/lat, stored grid id, category id, received time."""

    lon: np.ndarray
    lat: np.ndarray
    grid_id: np.ndarray
    category_id: np.ndarray

    def __len__(self) -> int:
        return len(self.lon)


def matter_points(queryset: QuerySet[Incident]) -> Points:
    """The first reported point, grid and category of every matter in ``queryset``."""
    rows = list(
        queryset.annotate(x=_X("location"), y=_Y("location")).values_list(
            "x", "y", "grid_id", "category_id"
        )
    )
    if not rows:
        empty = np.zeros(0)
        return Points(empty, empty, empty.astype(int), empty.astype(int))
    data = np.array(rows, dtype=float)
    return Points(data[:, 0], data[:, 1], data[:, 2].astype(int), data[:, 3].astype(int))


_SHAPES = ("boundary", "label_point", "parent__boundary", "parent__display_boundary")


def grid_cells(area: Area) -> list[Area]:
    """The grid cells in force in ``area``'s subtree, by code, with their village joined."""
    return list(
        Area.objects.filter(
            level=AreaLevel.GRID, valid_to__isnull=True, code__startswith=area.code_prefix
        )
        .select_related("parent")
        .defer(*_SHAPES)
        .order_by("code")
    )


_CONTIGUITY_SQL = """
SELECT a.id, b.id
FROM gridmap_area a
JOIN gridmap_area b ON a.boundary && b.boundary AND a.id < b.id
WHERE a.level = 'grid' AND b.level = 'grid'
  AND a.valid_to IS NULL AND b.valid_to IS NULL
  AND a.code LIKE %(prefix)s AND b.code LIKE %(prefix)s
  AND CASE WHEN %(rook)s THEN ST_Relate(a.boundary, b.boundary, 'F***1****')
           ELSE ST_Intersects(a.boundary, b.boundary) END
"""


def contiguity_pairs(area: Area, weights: str = Weights.QUEEN) -> list[tuple[int, int]]:
    """Pairs of grid-cell ids that touch: queen (any shared point) or rook (a shared edge)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CONTIGUITY_SQL,
            {"prefix": area.code_prefix + "%", "rook": weights == Weights.ROOK},
        )
        return cursor.fetchall()


def category_names() -> dict[int, str]:
    """Category labels by id (active language)."""
    return {c.pk: c.label for c in Category.objects.all()}


@dataclass(frozen=True)
class Cluster:
    """A group of matters close together: size, centre (WGS84), span in metres, grid name."""

    size: int
    lon: float
    lat: float
    span_m: float
    place: str
    top_category: str


_CLUSTER_SQL = """
WITH m AS (
  SELECT i.id, i.grid_id, i.category_id, ST_Transform(i.location, %s) AS g
  FROM incidents_incident i WHERE i.id IN ({ids})
), c AS (
  SELECT m.*, ST_ClusterDBSCAN(g, eps := %s, minpoints := %s) OVER () AS cid
  FROM m
)
SELECT count(*), ST_X(ST_Transform(ST_Centroid(ST_Collect(g)), 4326)),
       ST_Y(ST_Transform(ST_Centroid(ST_Collect(g)), 4326)),
       COALESCE(ST_MaxDistance(ST_Collect(g), ST_Collect(g)), 0),
       mode() WITHIN GROUP (ORDER BY grid_id), mode() WITHIN GROUP (ORDER BY category_id)
FROM c WHERE cid IS NOT NULL GROUP BY cid HAVING count(*) >= %s
ORDER BY count(*) DESC, 2 LIMIT %s
"""


def clusters(
    queryset: QuerySet[Incident], *, eps_m: float, min_points: int, limit: int = 50
) -> list[Cluster]:
    """DBSCAN clusters (``ST_ClusterDBSCAN`` in EPSG:4544) of the matters of ``queryset``.

    Matters placed at an area's label point (imported ledgers without coordinates) are left out:
    a village's whole history stacked on one point is a cluster of the import, not of the place.
    Counts by grid cell and area (hot spots, the safety index) still include them.
    """
    queryset = queryset.filter(location_approximate=False)
    # The matters arrive as the queryset's own compiled SQL and parameters (never text from
    # input); only that placeholder-bearing SQL is spliced in.
    ids_sql, ids_params = queryset.values("id").query.sql_with_params()
    params = [METRIC_SRID, *ids_params, eps_m, min_points, min_points, limit]
    with connection.cursor() as cursor:
        cursor.execute(_CLUSTER_SQL.format(ids=ids_sql), params)
        rows = cursor.fetchall()
    grids = Area.objects.filter(pk__in=[r[4] for r in rows]).select_related("parent")
    places = {a.pk: a for a in grids.defer(*_SHAPES)}
    categories = category_names()
    return [
        Cluster(
            size=r[0],
            lon=r[1],
            lat=r[2],
            span_m=float(r[3]),
            place=_place_name(places.get(r[4])),
            top_category=categories.get(r[5], ""),
        )
        for r in rows
    ]


def repeat_locations(
    incidents: QuerySet[Incident],
    *,
    area: Area,
    end: dt.date,
    days: int = 90,
    radius_m: float = 50,
    min_count: int = 3,
) -> list[Cluster]:
    """Places with ``min_count`` or more matters within ``radius_m`` in the ``days`` before end."""
    window = MatterFilter(area=area, start=end - dt.timedelta(days=days), end=end)
    return clusters(matters(window, incidents), eps_m=radius_m, min_points=min_count)


def _place_name(grid: Area | None) -> str:
    """``village · grid`` for a grid cell."""
    if grid is None:
        return ""
    return f"{grid.parent.name} · {grid.name}" if grid.parent_id else grid.name
