"""Read paths of the grid network: point → grid chain, nearest grid, subtrees, summaries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
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
# and the leader come from the same query as the point-in-polygon test. A point on an edge shared
# by two cells intersects both; the lowest code wins so the answer never flickers.
_LOCATE_SQL = """
SELECT g.code, g.name, v.code, v.name, t.code, t.name, c.code, c.name,
       w.name, w.phone, g.synthetic
FROM gridmap_area g
JOIN gridmap_area v ON v.id = g.parent_id
JOIN gridmap_area t ON t.id = v.parent_id
JOIN gridmap_area c ON c.id = t.parent_id
LEFT JOIN gridmap_gridworker w ON w.area_id = g.id AND w.role = 'leader' AND w.active
WHERE g.level = 'grid' AND g.valid_to IS NULL
  AND ST_Intersects(g.boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
ORDER BY g.code
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
