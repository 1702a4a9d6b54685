"""Main roads of the demo county, to place hazards along them.

SYNTHETIC APPROXIMATIONS: hand-drawn polylines that follow the rough course of the real roads
(the G30 expressway from the Dingxi side down to the Wei valley and out east, the G316 national road
along the Wei river through the county seat, a north–south provincial road through the seat), fitted
to the demo's synthetic township layout. They are not surveyed alignments; here they make hazards
cluster along plausible corridors (the vertices live in roads/demo/corridors.py, where the demo
road network is built on them).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString

from gridmap.demo.county import METRIC_CRS, WGS84_CRS
from roads.demo.corridors import CORRIDORS

# name → (lon, lat) vertices, WGS84: the demo road network's corridors (roads/demo/corridors.py).
ROADS: dict[str, tuple[tuple[float, float], ...]] = CORRIDORS

_TO_METRIC = Transformer.from_crs(WGS84_CRS, METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84_CRS, always_xy=True)


def to_metric(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → CGCS2000 Gauss-Krüger metres (EPSG:4544)."""
    return _TO_METRIC.transform(np.asarray(lons, float), np.asarray(lats, float))


def to_wgs84(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:4544 metres → WGS84 degrees."""
    return _TO_WGS84.transform(np.asarray(xs, float), np.asarray(ys, float))


def roads_metric() -> MultiLineString:
    """Every road as one geometry in EPSG:4544 metres."""
    lines = []
    for vertices in ROADS.values():
        lons, lats = zip(*vertices, strict=True)
        xs, ys = to_metric(np.array(lons), np.array(lats))
        lines.append(LineString(np.column_stack([xs, ys])))
    return MultiLineString(lines)


def distance_to_roads_m(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Distance in metres from each WGS84 point to the nearest road."""
    xs, ys = to_metric(lons, lats)
    return shapely.distance(shapely.points(xs, ys), roads_metric())


def points_near_roads(
    rng: np.random.Generator, count: int, scale_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` WGS84 points along the roads, off them by a distance that decays (exponential)."""
    roads = roads_metric()
    lines = list(roads.geoms)
    lengths = np.array([line.length for line in lines])
    which = rng.choice(len(lines), size=count, p=lengths / lengths.sum())
    along = rng.random(count)
    offsets = rng.exponential(scale_m, size=count) * rng.choice([-1.0, 1.0], size=count)
    xs, ys = np.empty(count), np.empty(count)
    for index, line in enumerate(lines):
        mask = which == index
        at = along[mask] * line.length
        here = shapely.line_interpolate_point(line, at)
        ahead = shapely.line_interpolate_point(line, np.minimum(at + 1.0, line.length))
        behind = shapely.line_interpolate_point(line, np.maximum(at - 1.0, 0.0))
        dx = shapely.get_x(ahead) - shapely.get_x(behind)
        dy = shapely.get_y(ahead) - shapely.get_y(behind)
        norm = np.hypot(dx, dy)
        # Off the road at right angles to its direction.
        xs[mask] = shapely.get_x(here) - dy / norm * offsets[mask]
        ys[mask] = shapely.get_y(here) + dx / norm * offsets[mask]
    return to_wgs84(xs, ys)
