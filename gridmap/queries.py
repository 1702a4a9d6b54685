"""Read paths of the grid network: point → grid chain, nearest grid, subtrees, summaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum

from gridmap.choices import LEVEL_ORDER, AreaLevel, GridWorkerRole
from gridmap.models import Area


@dataclass(frozen=True)
class AreaRef:
    code: str
    name: str
    level: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "level": self.level}


@dataclass(frozen=True)
class GridLeader:
    name: str
    phone: str


@dataclass(frozen=True)
class Location:
    """The chain of areas a point lies in, grid first."""

    grid: AreaRef
    village: AreaRef
    township: AreaRef
    county: AreaRef
    leader: GridLeader | None
    synthetic: bool


@dataclass(frozen=True)
class NearestGrid:
    grid: AreaRef
    distance_m: float


# One statement per locate, built once: the request budget is ~2 ms (REFERENCE.md), so the chain
# and the leader come from the same query as the point-in-polygon test. The hits are materialised
# first so the planner always probes the partial GiST index (area_current_grid_gist) instead of
# walking grids in code order. A point on an edge shared by two cells intersects both; the lowest
# code wins so the answer never flickers.
_LOCATE_SQL = """
WITH hit AS MATERIALIZED (
    SELECT id, code FROM gridmap_area
    WHERE level = 'grid' AND valid_to IS NULL
      AND ST_Intersects(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
)
SELECT g.code, g.name, v.code, v.name, t.code, t.name, c.code, c.name,
       w.name, w.phone, g.synthetic
FROM hit
JOIN gridmap_area g ON g.id = hit.id
JOIN gridmap_area v ON v.id = g.parent_id
JOIN gridmap_area t ON t.id = v.parent_id
JOIN gridmap_area c ON c.id = t.parent_id
LEFT JOIN gridmap_gridworker w ON w.area_id = g.id AND w.role = 'leader' AND w.active
ORDER BY hit.code
LIMIT 1
"""

# KNN on the GiST index in degrees picks a few candidates; metres on the geography decide.
_NEAREST_SQL = """
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS geom),
candidates AS MATERIALIZED (
    SELECT g.code, g.name, g.boundary
    FROM gridmap_area g, pt
    WHERE g.level = 'grid' AND g.valid_to IS NULL
    ORDER BY g.boundary <-> pt.geom
    LIMIT 8
)
SELECT c.code, c.name, ST_Distance(c.boundary::geography, pt.geom::geography) AS metres
FROM candidates c, pt
ORDER BY metres, c.code
LIMIT 1
"""


def locate(lon: float, lat: float) -> Location | None:
    """The grid cell (and its village, township, county and leader) covering a WGS84 point."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCATE_SQL, [lon, lat])
        row = cursor.fetchone()
    if row is None:
        return None
    return Location(
        grid=AreaRef(row[0], row[1], AreaLevel.GRID),
        village=AreaRef(row[2], row[3], AreaLevel.VILLAGE),
        township=AreaRef(row[4], row[5], AreaLevel.TOWNSHIP),
        county=AreaRef(row[6], row[7], AreaLevel.COUNTY),
        leader=GridLeader(row[8], row[9] or "") if row[8] else None,
        synthetic=row[10],
    )


def nearest_grid(lon: float, lat: float) -> NearestGrid | None:
    """The grid cell nearest to a WGS84 point, with the distance in metres (None if no grids)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEAREST_SQL, [lon, lat])
        row = cursor.fetchone()
    if row is None:
        return None
    return NearestGrid(AreaRef(row[0], row[1], AreaLevel.GRID), float(row[2]))


def ancestors(area: Area) -> QuerySet[Area]:
    """The areas above ``area``, county first."""
    return Area.objects.filter(code__in=area.ancestor_codes).order_by("code")


def children(area: Area) -> QuerySet[Area]:
    """The areas directly below ``area`` that are in force."""
    return area.children.current().order_by("code")


@dataclass(frozen=True)
class LevelSummary:
    level: str
    label: str
    count: int
    synthetic: int
    population: int | None


def network_summary() -> list[LevelSummary]:
    """How many areas each level holds (in force), how many are synthetic, and the population."""
    rows = {
        row["level"]: row
        for row in Area.objects.current()
        .values("level")
        .annotate(
            count=Count("id"),
            synthetic=Count("id", filter=Q(synthetic=True)),
            population=Sum("population"),
        )
    }
    summary = []
    for level in LEVEL_ORDER:
        row = rows.get(level, {"count": 0, "synthetic": 0, "population": None})
        summary.append(
            LevelSummary(
                level=level,
                label=str(AreaLevel(level).label),
                count=row["count"],
                synthetic=row["synthetic"],
                population=row["population"],
            )
        )
    return summary


def grid_leader(area: Area) -> GridLeader | None:
    """The active leader of a grid cell (None for other levels or a vacant grid)."""
    if area.level != AreaLevel.GRID:
        return None
    worker = (
        area.workers.filter(role=GridWorkerRole.LEADER, active=True).values("name", "phone").first()
    )
    return GridLeader(worker["name"], worker["phone"]) if worker else None


# Bulk point → grid: the points travel in and the answers out by binary COPY (fixed-width rows
# built and parsed with numpy, no per-row Python). Each point probes the GiST index for its cell;
# feeding the points in bands of similar latitude, west to east, makes consecutive probes hit the
# same polygon, so PostGIS reuses its prepared geometry instead of preparing one per point.
_BULK_BAND_DEGREES = 0.002
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8  # signature, flags, no extension
_COPY_TRAILER = b"\xff\xff"
_POINT_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("len_idx", ">i4"),
        ("idx", ">i4"),
        ("len_lon", ">i4"),
        ("lon", ">f8"),
        ("len_lat", ">i4"),
        ("lat", ">f8"),
    ]
)
_ANSWER_ROW = np.dtype(
    [("fields", ">i2"), ("len_idx", ">i4"), ("idx", ">i4"), ("len_grid", ">i4"), ("grid", ">i8")]
)
_BULK_LOCATE_SQL = """
COPY (
    SELECT p.idx, COALESCE((
        SELECT g.id FROM gridmap_area g
        WHERE g.level = 'grid' AND g.valid_to IS NULL
          AND ST_Intersects(g.boundary, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
        ORDER BY g.code
        LIMIT 1
    ), 0)
    FROM _bulk_points p
) TO STDOUT (FORMAT binary)
"""


def bulk_locate(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Grid ids (Area.pk) for many WGS84 points at once; 0 where a point is outside every grid."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    if lons.shape != lats.shape or lons.ndim != 1:
        raise ValueError("lons and lats must be one-dimensional arrays of the same length.")
    order = np.lexsort((lons, np.floor(lats / _BULK_BAND_DEGREES)))
    rows = np.empty(len(order), dtype=_POINT_ROW)
    rows["fields"], rows["len_idx"], rows["len_lon"], rows["len_lat"] = 3, 4, 8, 8
    rows["idx"], rows["lon"], rows["lat"] = order, lons[order], lats[order]
    answer = bytearray()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE _bulk_points (idx int4, lon float8, lat float8) ON COMMIT DROP"
        )
        psycopg_cursor = cursor.cursor
        with psycopg_cursor.copy("COPY _bulk_points FROM STDIN (FORMAT binary)") as copy:
            copy.write(_COPY_SIGNATURE + rows.tobytes() + _COPY_TRAILER)
        with psycopg_cursor.copy(_BULK_LOCATE_SQL) as copy:
            for chunk in copy:
                answer += chunk
    body = memoryview(answer)[len(_COPY_SIGNATURE) : len(answer) - len(_COPY_TRAILER)]
    found = np.frombuffer(body, dtype=_ANSWER_ROW)
    result = np.zeros(len(lons), dtype=np.int64)
    result[found["idx"]] = found["grid"]
    return result
