"""Hot-spot units (grid cells, H3 hexagons), their weights, and Gi* of counts or rates on them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from django.contrib.gis.geos import MultiPolygon, Polygon
from scipy import sparse

from analytics import emerging
from analytics.choices import Measure, Weights
from analytics.gistar import adjacency_from_pairs, gi_bins, gi_star, two_sided
from analytics.queries import Points, contiguity_pairs, grid_cells
from gridmap.models import WGS84, Area


@dataclass
class Units:
    """The study area's units: keys, names, outlines, grid ids, populations and neighbours."""

    keys: list[str]
    names: list[str]
    geometries: list[MultiPolygon]
    area_ids: list[int | None]
    population: np.ndarray | None  # residents per unit, where every unit's is known
    adjacency: sparse.csr_matrix
    h3_resolution: int | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def index_of(self, points: Points) -> np.ndarray:
        """The unit index of every point (-1 outside every unit)."""
        if self.h3_resolution is None:
            lookup = {area_id: i for i, area_id in enumerate(self.area_ids)}
            return np.array([lookup.get(int(g), -1) for g in points.grid_id], dtype=int)
        lookup = {key: i for i, key in enumerate(self.keys)}
        res = self.h3_resolution
        pairs = zip(points.lat, points.lon, strict=True)
        cells = [h3.latlng_to_cell(la, lo, res) for la, lo in pairs]
        return np.array([lookup.get(c, -1) for c in cells], dtype=int)


def grid_units(area: Area, weights: str = Weights.QUEEN) -> Units:
    """The grid cells of ``area`` with contiguity neighbours computed in PostGIS."""
    cells = grid_cells(area)
    position = {cell.pk: i for i, cell in enumerate(cells)}
    pairs = [(position[a], position[b]) for a, b in contiguity_pairs(area, weights)]
    populations = [cell.population for cell in cells]
    known = all(p is not None for p in populations) and bool(cells)
    return Units(
        keys=[cell.code for cell in cells],
        names=[f"{cell.parent.name} · {cell.name}" for cell in cells],
        geometries=[cell.display_boundary for cell in cells],
        area_ids=[cell.pk for cell in cells],
        population=np.array(populations, dtype=float) if known else None,
        adjacency=adjacency_from_pairs(len(cells), pairs),
    )


def h3_units(area: Area, resolution: int, *, k: int = 1, extra: Points | None = None) -> Units:
    """H3 cells centred in ``area`` (and the cells of ``extra`` points), ring-k neighbours."""
    outline = shapely.from_wkb(bytes(area.boundary.wkb))
    cells = set(h3.geo_to_cells(outline, resolution))
    if extra is not None:
        cells.update(
            h3.latlng_to_cell(la, lo, resolution)
            for la, lo in zip(extra.lat, extra.lon, strict=True)
        )
    keys = sorted(cells)
    position = {key: i for i, key in enumerate(keys)}
    pairs = [
        (i, position[other])
        for i, key in enumerate(keys)
        for other in h3.grid_disk(key, k)
        if other in position and position[other] > i
    ]
    return Units(
        keys=keys,
        names=keys,
        geometries=[_hexagon(key) for key in keys],
        area_ids=[None] * len(keys),
        population=None,
        adjacency=adjacency_from_pairs(len(keys), pairs),
        h3_resolution=resolution,
    )


def _hexagon(cell: str) -> MultiPolygon:
    ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
    return MultiPolygon(Polygon([*ring, ring[0]]), srid=WGS84)


@dataclass
class Analysis:
    """Gi* of one variable over the units: counts, rates, z, p, bins."""

    counts: np.ndarray
    rates: np.ndarray | None
    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray | None
    bins: np.ndarray


def counts_per_unit(units: Units, points: Points) -> np.ndarray:
    """How many points fall in each unit."""
    index = units.index_of(points)
    return np.bincount(index[index >= 0], minlength=len(units)).astype(float)


def analyse(
    units: Units,
    points: Points,
    *,
    measure: str = Measure.COUNT,
    permutations: int = 0,
    seed: int | None = None,
    fdr: bool = True,
) -> Analysis:
    """Gi* of the points' counts (or rates per 1,000 residents) per unit, with FDR bins."""
    counts = counts_per_unit(units, points)
    rates = None
    if units.population is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = np.where(units.population > 0, counts / units.population * 1000, 0.0)
    if measure == Measure.RATE and rates is None:
        raise ValueError("rates need the population of every unit")
    y = rates if measure == Measure.RATE else counts
    if len(units) < 3 or y.sum() == 0 or np.all(y == y[0]):
        # No variation: Gi* is undefined; nothing is significant.
        zeros = np.zeros(len(units))
        return Analysis(counts, rates, zeros, np.ones(len(units)), None, zeros.astype(np.int8))
    result = gi_star(y, units.adjacency, permutations=permutations, seed=seed)
    p = two_sided(result.p_sim) if result.p_sim is not None else two_sided(result.p_norm)
    z = np.nan_to_num(result.z)
    return Analysis(counts, rates, z, p, result.p_sim, gi_bins(z, p, fdr=fdr))


@dataclass
class TrendResult:
    classes: list[str]
    taus: list[float | None]
    streaks: np.ndarray
    streak_bins: np.ndarray


def trends(units: Units, series: list[Points], *, measure: str = Measure.COUNT) -> TrendResult:
    """Emerging classes per unit from Gi* of each consecutive period (oldest first)."""
    analyses = [analyse(units, pts, measure=measure) for pts in series]
    bins = np.array([a.bins for a in analyses])  # periods × units
    zs = np.array([a.z for a in analyses])
    classes, taus = [], []
    streaks = np.zeros(len(units), dtype=int)
    streak_bins = np.zeros(len(units), dtype=int)
    for i in range(len(units)):
        trend, tau = emerging.classify(bins[:, i], zs[:, i])
        classes.append(trend)
        taus.append(tau)
        hot = bins[:, i] >= emerging.HOT_BIN
        streaks[i] = emerging.streak_length(hot)
        if streaks[i]:
            streak_bins[i] = bins[-streaks[i] :, i].min()
    return TrendResult(classes, taus, streaks, streak_bins)


def main_category(
    units: Units, points: Points, names: dict[int, str]
) -> list[tuple[str, float | None]]:
    """Per unit, the most frequent category of its points and its share."""
    index = units.index_of(points)
    per_unit: dict[int, Counter] = {}
    for unit, category in zip(index, points.category_id, strict=True):
        if unit >= 0:
            per_unit.setdefault(int(unit), Counter())[int(category)] += 1
    result: list[tuple[str, float | None]] = []
    for i in range(len(units)):
        counter = per_unit.get(i)
        if not counter:
            result.append(("", None))
            continue
        category, count = counter.most_common(1)[0]
        result.append((names.get(category, ""), count / sum(counter.values())))
    return result
