"""The demo county's grid cells as arrays: population, geometry, parents; sample, locate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

from gridmap.choices import AreaLevel
from gridmap.demo.county import SEAT_TOWNSHIP
from gridmap.models import Area
from incidents.demo.roads import to_metric

URBAN_SUFFIX = "社区"  # NBS names a residents' committee (urban community) …社区


@dataclass(frozen=True)
class GridTable:
    """One row per grid cell in force, in code order; polygons in WGS84 degrees."""

    ids: np.ndarray
    codes: list[str]
    names: list[str]
    village_codes: list[str]
    village_names: list[str]
    township_codes: list[str]
    township_names: list[str]
    population: np.ndarray
    village_population: np.ndarray
    area_km2: np.ndarray
    urban: np.ndarray  # in an urban community
    seat: np.ndarray  # in the county seat's township
    polygons: np.ndarray
    tree: STRtree

    def __len__(self) -> int:
        return len(self.ids)

    def sample_in(self, rng: np.random.Generator, index: int) -> tuple[float, float]:
        """A uniform random point (lon, lat) inside grid ``index``."""
        polygon = self.polygons[index]
        x0, y0, x1, y1 = polygon.bounds
        while True:
            xs = rng.uniform(x0, x1, 16)
            ys = rng.uniform(y0, y1, 16)
            inside = np.flatnonzero(shapely.contains_xy(polygon, xs, ys))
            if len(inside):
                return float(xs[inside[0]]), float(ys[inside[0]])

    def locate(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """The grid index covering each point (-1 outside); on a shared edge the lower code wins."""
        points = shapely.points(lons, lats)
        found = np.full(len(points), -1, dtype=np.int64)
        point_idx, grid_idx = self.tree.query(points, predicate="intersects")
        # Grid indexes follow the codes: the first hit per point after sorting is the lowest code.
        order = np.lexsort((grid_idx, point_idx))
        hit_points, hit_grids = point_idx[order], grid_idx[order]
        first = np.unique(hit_points, return_index=True)[1]
        found[hit_points[first]] = hit_grids[first]
        return found

    def neighbours_in_other_townships(self, index: int) -> np.ndarray:
        """Grid indexes touching grid ``index`` that belong to another township."""
        touching = self.tree.query(self.polygons[index], predicate="intersects")
        township = self.township_codes[index]
        return np.array([i for i in touching if self.township_codes[i] != township], dtype=int)


def load_grids() -> GridTable:
    """Read the county's grid cells in force (one query)."""
    rows = list(
        Area.objects.current()
        .filter(level=AreaLevel.GRID)
        .order_by("code")
        .values_list(
            "id",
            "code",
            "name",
            "population",
            "boundary",
            "parent__code",
            "parent__name",
            "parent__population",
            "parent__parent__code",
            "parent__parent__name",
        )
    )
    if not rows:
        raise ValueError("no grid cells are loaded")
    columns = list(zip(*rows, strict=True))
    polygons = shapely.from_wkb([bytes(geom.wkb) for geom in columns[4]])
    shapely.prepare(polygons)
    return GridTable(
        ids=np.array(columns[0], dtype=np.int64),
        codes=list(columns[1]),
        names=list(columns[2]),
        village_codes=list(columns[5]),
        village_names=list(columns[6]),
        township_codes=list(columns[8]),
        township_names=list(columns[9]),
        population=np.array([p or 0 for p in columns[3]], dtype=float),
        village_population=np.array([p or 0 for p in columns[7]], dtype=float),
        area_km2=_areas_km2(polygons),
        urban=np.array([name.endswith(URBAN_SUFFIX) for name in columns[6]]),
        seat=np.array([code == SEAT_TOWNSHIP for code in columns[8]]),
        polygons=polygons,
        tree=STRtree(polygons),
    )


def _areas_km2(polygons: np.ndarray) -> np.ndarray:
    def project(coords: np.ndarray) -> np.ndarray:
        xs, ys = to_metric(coords[:, 0], coords[:, 1])
        return np.column_stack([xs, ys])

    return shapely.area(shapely.transform(polygons, project)) / 1e6
