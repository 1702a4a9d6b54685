"""Generate the Longxi demo county: real outline, NBS names, synthetic polygons, people and leaders.

Deterministic: every random draw comes from a generator seeded with ``SEED``, a purpose and the
code of the area it is for, and every loop runs in code order. The polygons are built in CGCS2000
Gauss-Krüger metres (EPSG:4544) as one exact tiling (see ``gridmap.demo.tiling``) and transformed
vertex by vertex to WGS84 at the end, which keeps shared vertices shared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from gridmap.choices import AreaLevel
from gridmap.demo.names import fictional_phone, person_name
from gridmap.demo.reference import (
    COUNTY_CODE,
    COUNTY_NAME,
    Division,
    load_outline,
    load_townships,
    load_villages,
)
from gridmap.demo.tiling import (
    Arrangement,
    Zone,
    points_inside,
    relax,
    spread_points,
)

SEED = 621_122
METRIC_CRS = "EPSG:4544"  # CGCS2000 / 3-degree Gauss-Krüger CM 105°E, the zone of Longxi
WGS84_CRS = "EPSG:4326"

TARGET_POPULATION = 450_000
TOTAL_GRIDS = 1_922
SEAT_URBAN_GRIDS = 301  # grids of 巩昌镇's 11 urban communities (county figures, 2021)
SEAT_TOWNSHIP = "621122100000"  # 巩昌镇, the county seat

# Township seeds pinned at known places (lon, lat): the county seat, and 文峰镇 (the railway-station
# communities) east of it. Every other township seed is placed by the seeded layout.
ANCHORS: dict[str, tuple[float, float]] = {
    "621122100000": (104.634, 35.003),
    "621122101000": (104.700, 35.010),
}
# Towns with urban communities pack them into a compact core around their anchor (metres).
URBAN_CORE_RADIUS_M: dict[str, float] = {"621122100000": 1_800.0, "621122101000": 1_100.0}
URBAN_CORE_INSET_M = 200.0  # keep a core this far inside its township

# People per household: smaller in town flats than in rural courtyards.
HOUSEHOLD_SIZE_URBAN = 3.0
HOUSEHOLD_SIZE_RURAL = 3.4
LLOYD_STEPS = {AreaLevel.TOWNSHIP: 3, AreaLevel.VILLAGE: 2, AreaLevel.GRID: 2}


class Stream(IntEnum):
    """What a random stream is for, so that adding one draw never shifts another."""

    TOWNSHIP_SEEDS = 1
    VILLAGE_SEEDS = 2
    URBAN_CORE = 3
    GRID_SEEDS = 4
    POPULATION = 5
    GRID_SHARES = 6
    LEADER = 7


def rng_for(stream: Stream, key: str = "0") -> np.random.Generator:
    """The random generator for one purpose and one area code."""
    return np.random.default_rng([SEED, int(stream), int(key)])


@dataclass(frozen=True)
class VillagePlan:
    """What a village/community gets: its population and how many grid cells it is cut into."""

    division: Division
    population: int
    grids: int

    @property
    def urban(self) -> bool:
        return self.division.is_community


@dataclass(frozen=True)
class DemoCounty:
    """The generated county: every area (all four levels) and one leader per grid, in WGS84."""

    areas: gpd.GeoDataFrame
    leaders: gpd.GeoDataFrame


def generate_county() -> DemoCounty:
    """Build the whole demo county (about a second)."""
    outline = load_outline()
    townships = load_townships()
    plans = plan_villages(load_villages())
    to_metric = Transformer.from_crs(WGS84_CRS, METRIC_CRS, always_xy=True)
    to_wgs84 = Transformer.from_crs(METRIC_CRS, WGS84_CRS, always_xy=True)

    arrangement = Arrangement(_project(outline, to_metric), COUNTY_CODE)
    _cut_townships(arrangement, townships, to_metric)
    _cut_villages(arrangement, townships, plans, to_metric)
    _cut_grids(arrangement, plans)

    grid_codes = _grid_codes(arrangement, plans)
    areas = _area_rows(arrangement, townships, plans, grid_codes, to_wgs84)
    leaders = _leaders(arrangement, grid_codes, to_wgs84)
    return DemoCounty(areas=areas, leaders=leaders)


# -- people ------------------------------------------------------------------------------------


def plan_villages(villages: list[Division]) -> list[VillagePlan]:
    """Population and grid count of every village, calibrated to the county figures."""
    raw = np.array([_raw_population(village) for village in villages])
    urban = np.array([village.is_community for village in villages])
    # Rural villages absorb the difference so that the county lands on its target population.
    scale = (TARGET_POPULATION - raw[urban].sum()) / raw[~urban].sum()
    population = np.rint(np.where(urban, raw, raw * scale)).astype(int)

    seat_urban = np.array(
        [village.is_community and village.township_code == SEAT_TOWNSHIP for village in villages]
    )
    grids = np.zeros(len(villages), dtype=int)
    grids[seat_urban] = apportion(population[seat_urban], SEAT_URBAN_GRIDS, lower=20, upper=35)
    # Town flats: about one grid per 300 residents; rural villages: one per 200, 5 to 12 a village.
    others = ~seat_urban
    weights = np.where(urban, population / 300.0, population / 200.0)[others]
    lower = np.where(urban, 8, 5)[others]
    upper = np.where(urban, 20, 12)[others]
    grids[others] = apportion(weights, TOTAL_GRIDS - SEAT_URBAN_GRIDS, lower=lower, upper=upper)
    return [
        VillagePlan(village, int(people), int(count))
        for village, people, count in zip(villages, population, grids, strict=True)
    ]


def _raw_population(village: Division) -> float:
    rng = rng_for(Stream.POPULATION, village.code)
    if village.is_community and village.township_code == SEAT_TOWNSHIP:
        return float(np.clip(rng.normal(8_000, 1_200), 5_500, 11_000))
    if village.is_community:
        return float(np.clip(rng.normal(3_500, 700), 2_000, 5_500))
    return float(np.clip(rng.lognormal(math.log(1_450), 0.35), 600, 4_000))


def apportion(
    weights: np.ndarray,
    total: int,
    *,
    lower: int | np.ndarray = 0,
    upper: int | np.ndarray | None = None,
) -> np.ndarray:
    """Integers proportional to ``weights`` that sum to ``total``, each within its bounds.

    The quotas are ``clip(k * weight, lower, upper)`` with the one ``k`` that makes them sum to
    ``total`` (found by bisection); largest remainders round them, ties to the lower index.
    """
    weights = np.asarray(weights, dtype=float)
    count = len(weights)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), count)
    upper = np.broadcast_to(np.asarray(np.inf if upper is None else upper, dtype=float), count)
    if not lower.sum() <= total <= upper.sum():
        raise ValueError(f"{total} cannot be shared within the bounds")

    def quotas(k: float) -> np.ndarray:
        return np.clip(k * weights, lower, upper)

    low, high = 0.0, 1.0
    while quotas(high).sum() < total:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if quotas(middle).sum() < total:
            low = middle
        else:
            high = middle
    quota = quotas(high)
    result = np.floor(quota).astype(int)
    short = total - int(result.sum())
    if not 0 <= short <= count:
        raise ArithmeticError(f"rounding {quota.sum()} to {total} left {short}")
    order = np.argsort(-(quota - result), kind="stable")
    result[order[:short]] += 1
    return result


def _grid_people(plan: VillagePlan) -> tuple[np.ndarray, np.ndarray]:
    """Population and households of each grid of a village, summing to the village's."""
    rng = rng_for(Stream.GRID_SHARES, plan.division.code)
    people = apportion(rng.uniform(0.75, 1.25, size=plan.grids), plan.population)
    size = HOUSEHOLD_SIZE_URBAN if plan.urban else HOUSEHOLD_SIZE_RURAL
    households = np.maximum(np.rint(people / size), 1).astype(int)
    return people, households


# -- polygons ----------------------------------------------------------------------------------


def _project(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    """``geometry`` with every vertex passed through ``transformer`` (x, y order)."""

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, apply)


def _cut_townships(
    arrangement: Arrangement, townships: list[Division], to_metric: Transformer
) -> None:
    outline = arrangement.faces[0]
    codes = [township.code for township in townships]
    pinned = [codes.index(code) for code in sorted(ANCHORS)]
    anchors = np.array([to_metric.transform(*ANCHORS[code]) for code in sorted(ANCHORS)])
    free = spread_points(
        outline, len(codes) - len(pinned), rng_for(Stream.TOWNSHIP_SEEDS), fixed=anchors
    )
    seeds = np.empty((len(codes), 2))
    seeds[pinned] = anchors
    seeds[[i for i in range(len(codes)) if i not in pinned]] = free
    seeds = relax(seeds, outline, LLOYD_STEPS[AreaLevel.TOWNSHIP], pinned=pinned)
    arrangement.subdivide({COUNTY_CODE: [Zone(outline, seeds, tuple(codes))]})


def _cut_villages(
    arrangement: Arrangement,
    townships: list[Division],
    plans: list[VillagePlan],
    to_metric: Transformer,
) -> None:
    regions = arrangement.areas(1)
    zones: dict[str, list[Zone]] = {}
    cuts: list[BaseGeometry] = []
    for township in townships:
        region = regions[township.code]
        members = [plan.division for plan in plans if plan.division.township_code == township.code]
        communities = [village for village in members if village.is_community]
        villages = [village for village in members if not village.is_community]
        rng = rng_for(Stream.VILLAGE_SEEDS, township.code)
        if not communities:
            zones[township.code] = [_zone(region, villages, rng)]
            continue
        core = _urban_core(township.code, region, to_metric)
        cuts.append(core.boundary)
        zones[township.code] = [
            _zone(core, communities, rng),
            _zone(region.difference(core), villages, rng),
        ]
    arrangement.subdivide(zones, cuts)


def _zone(region: BaseGeometry, divisions: list[Division], rng: np.random.Generator) -> Zone:
    seeds = spread_points(region, len(divisions), rng)
    seeds = relax(seeds, region, LLOYD_STEPS[AreaLevel.VILLAGE])
    return Zone(region, seeds, tuple(division.code for division in divisions))


def _urban_core(code: str, township: BaseGeometry, to_metric: Transformer) -> Polygon:
    """A compact, irregular town core around the township's anchor, well inside the township."""
    rng = rng_for(Stream.URBAN_CORE, code)
    cx, cy = to_metric.transform(*ANCHORS[code])
    radius = URBAN_CORE_RADIUS_M[code]
    angles = np.linspace(0.0, 2.0 * math.pi, 72, endpoint=False)
    phase2, phase3 = rng.uniform(0.0, 2.0 * math.pi, size=2)
    # A lobed outline rather than a circle: towns grow along valleys and roads.
    reach = radius * (1.0 + 0.18 * np.sin(2 * angles + phase2) + 0.08 * np.sin(3 * angles + phase3))
    blob = Polygon(np.column_stack([cx + reach * np.cos(angles), cy + reach * np.sin(angles)]))
    core = blob.intersection(township.buffer(-URBAN_CORE_INSET_M))
    if not isinstance(core, Polygon):
        raise ValueError(f"the urban core of {code} is not one polygon")
    return core


def _cut_grids(arrangement: Arrangement, plans: list[VillagePlan]) -> None:
    regions = arrangement.areas(2)
    zones: dict[str, list[Zone]] = {}
    for plan in plans:
        code = plan.division.code
        region = regions[code]
        seeds = spread_points(region, plan.grids, rng_for(Stream.GRID_SEEDS, code))
        seeds = relax(seeds, region, LLOYD_STEPS[AreaLevel.GRID])
        keys = tuple(f"{code}:{index:03d}" for index in range(plan.grids))
        zones[code] = [Zone(region, seeds, keys)]
    arrangement.subdivide(zones)


def _grid_codes(arrangement: Arrangement, plans: list[VillagePlan]) -> dict[str, str]:
    """Final 15-digit code of every grid key: numbered west→east, north→south in its village.

    Rows are bands one typical cell high from the village's north edge; within a row, west first.
    """
    villages = arrangement.areas(2)
    grids = arrangement.areas(3)
    codes: dict[str, str] = {}
    for plan in plans:
        code = plan.division.code
        keys = [key for key in grids if key.startswith(f"{code}:")]
        if len(keys) != plan.grids:
            raise ValueError(f"village {code} has {len(keys)} grid cells, planned {plan.grids}")
        village = villages[code]
        band = math.sqrt(village.area / len(keys))
        top = village.bounds[3]

        def reading_order(key: str, band: float = band, top: float = top) -> tuple:
            centre = grids[key].centroid
            return (int((top - centre.y) // band), centre.x, key)

        for number, key in enumerate(sorted(keys, key=reading_order), start=1):
            codes[key] = f"{code}{number:03d}"
    return codes


# -- output ------------------------------------------------------------------------------------


def _area_rows(
    arrangement: Arrangement,
    townships: list[Division],
    plans: list[VillagePlan],
    grid_codes: dict[str, str],
    to_wgs84: Transformer,
) -> gpd.GeoDataFrame:
    rows: list[dict] = []
    polygons = [arrangement.areas(depth) for depth in range(4)]
    grids_by_code = {grid_codes[key]: polygon for key, polygon in polygons[3].items()}
    village_totals: dict[str, tuple[int, int]] = {}
    for plan in plans:
        village = plan.division
        people, households = _grid_people(plan)
        for number in range(plan.grids):
            code = f"{village.code}{number + 1:03d}"
            rows.append(
                _row(code, f"{village.short_name}第{number + 1}网格", AreaLevel.GRID, village.code)
                | {"population": int(people[number]), "households": int(households[number])}
                | {"geometry": grids_by_code[code]}
            )
        village_totals[village.code] = (int(people.sum()), int(households.sum()))
        rows.append(
            _row(village.code, village.short_name, AreaLevel.VILLAGE, village.township_code)
            | _totals([village_totals[village.code]])
            | {"geometry": polygons[2][village.code]}
        )
    township_totals: dict[str, tuple[int, int]] = {}
    for township in townships:
        members = [
            village_totals[plan.division.code]
            for plan in plans
            if plan.division.township_code == township.code
        ]
        township_totals[township.code] = tuple(np.sum(members, axis=0).tolist())
        rows.append(
            _row(township.code, township.name, AreaLevel.TOWNSHIP, COUNTY_CODE)
            | _totals(members)
            | {"geometry": polygons[1][township.code]}
        )
    rows.append(
        _row(COUNTY_CODE, COUNTY_NAME, AreaLevel.COUNTY, None)
        | _totals(list(township_totals.values()))
        | {"synthetic": False, "geometry": polygons[0][COUNTY_CODE]}
    )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    frame["geometry"] = _project(frame.geometry.to_numpy(), to_wgs84)
    frame = frame.set_crs(WGS84_CRS, allow_override=True)
    return frame.sort_values("code", kind="stable").reset_index(drop=True)


def _row(code: str, name: str, level: str, parent_code: str | None) -> dict:
    return {
        "code": code,
        "name": name,
        "level": str(level),
        "parent_code": parent_code,
        "synthetic": True,
    }


def _totals(parts: list[tuple[int, int]]) -> dict[str, int]:
    people, households = np.sum(parts, axis=0).tolist()
    return {"population": int(people), "households": int(households)}


def _leaders(
    arrangement: Arrangement, grid_codes: dict[str, str], to_wgs84: Transformer
) -> gpd.GeoDataFrame:
    """One invented leader per grid: name, fictional phone, a home point inside the grid."""
    grids = {grid_codes[key]: polygon for key, polygon in arrangement.areas(3).items()}
    rows = []
    for serial, code in enumerate(sorted(grids), start=1):
        rng = rng_for(Stream.LEADER, code)
        grid = grids[code]
        # Keep the home a few metres off the edge so that it stays inside after reprojection.
        inner = grid.buffer(-5.0)
        x, y = points_inside(inner if not inner.is_empty else grid, 1, rng)[0]
        rows.append(
            {
                "grid_code": code,
                "name": person_name(rng),
                "phone": fictional_phone(serial),
                "geometry": Point(x, y),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    frame["geometry"] = _project(frame.geometry.to_numpy(), to_wgs84)
    return frame.set_crs(WGS84_CRS, allow_override=True)
