"""Exact hierarchical tilings from Voronoi seeds, built as one noded line arrangement.

Every level is cut into the same set of atomic faces: the lines of all levels are noded together,
polygonized, and each face is labelled once per level (its township, village, grid). An area is the
union of its faces, so parents and children share exact vertices and the tiling has no gaps and no
overlaps by construction. Work in a metric CRS.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

# Child edges are clipped to their parent grown by this much (metres), so that they cross the
# parent's boundary and get noded onto it; the stubs beyond it are dangles that polygonize drops.
# Clipping exactly at the boundary would leave end points a rounding error short of it.
EDGE_OVERSHOOT_M = 0.05


@dataclass(frozen=True)
class Zone:
    """A region of a parent area split among ``keys`` by the Voronoi cells of ``seeds``."""

    region: BaseGeometry
    seeds: np.ndarray
    keys: tuple[str, ...]


def points_inside(region: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniformly random points inside ``region``, as an (n, 2) array."""
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    found: list[np.ndarray] = []
    total = 0
    while total < count:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * count, 16), 2))
        inside = batch[shapely.contains_xy(region, batch[:, 0], batch[:, 1])]
        found.append(inside)
        total += len(inside)
    return np.concatenate(found)[:count]


def spread_points(
    region: BaseGeometry,
    count: int,
    rng: np.random.Generator,
    *,
    fixed: np.ndarray | None = None,
    candidates: int = 12,
) -> np.ndarray:
    """``count`` well-spread points inside ``region`` (Mitchell's best-candidate sampling).

    ``fixed`` points are kept away from but not returned.
    """
    chosen = np.empty((0, 2)) if fixed is None else np.asarray(fixed, dtype=float).reshape(-1, 2)
    start = len(chosen)
    for _ in range(count):
        pool = points_inside(region, candidates, rng)
        if len(chosen) == 0:
            best = pool[0]
        else:
            gaps = np.linalg.norm(pool[:, None, :] - chosen[None, :, :], axis=2).min(axis=1)
            best = pool[int(np.argmax(gaps))]
        chosen = np.vstack([chosen, best])
    return chosen[start:]


def voronoi_cells(seeds: np.ndarray, region: BaseGeometry) -> list[BaseGeometry]:
    """The Voronoi cell of each seed clipped to ``region``, in seed order."""
    if len(seeds) == 1:
        return [region]
    diagram = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=region.envelope.buffer(1_000.0), ordered=True
    )
    return list(shapely.intersection(np.asarray(diagram.geoms, dtype=object), region))


def voronoi_edges(seeds: np.ndarray, region: BaseGeometry) -> BaseGeometry | None:
    """The Voronoi edges between ``seeds`` inside ``region``, overshooting its boundary slightly."""
    if len(seeds) < 2:
        return None
    edges = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=region.envelope.buffer(1_000.0), only_edges=True
    )
    return edges.intersection(region.buffer(EDGE_OVERSHOOT_M))


def relax(
    seeds: np.ndarray, region: BaseGeometry, steps: int, *, pinned: Sequence[int] = ()
) -> np.ndarray:
    """Lloyd relaxation: move each seed (except ``pinned``) to the centroid of its clipped cell."""
    seeds = np.array(seeds, dtype=float)
    for _ in range(steps):
        cells = voronoi_cells(seeds, region)
        for index, cell in enumerate(cells):
            if index in pinned or cell.is_empty:
                continue
            centre = cell.centroid
            if not region.contains(centre):
                # A cell in a concave region can have its centroid outside; stay inside it.
                centre = cell.point_on_surface()
            seeds[index] = (centre.x, centre.y)
    return seeds


def as_multipolygon(geometry: BaseGeometry) -> MultiPolygon:
    """``geometry`` (a Polygon or MultiPolygon) as a MultiPolygon."""
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    if isinstance(geometry, MultiPolygon):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if isinstance(part, Polygon)]
    return MultiPolygon(parts)


class Arrangement:
    """Faces of a noded line arrangement with one label per level, refined level by level."""

    def __init__(self, outline: Polygon, root_key: str) -> None:
        self.lines: list[BaseGeometry] = [outline.boundary]
        self.faces: np.ndarray = np.asarray([outline], dtype=object)
        self.labels: list[np.ndarray] = [np.asarray([root_key], dtype=object)]

    @property
    def depth(self) -> int:
        """Index of the finest level labelled so far (0 = the root)."""
        return len(self.labels) - 1

    def areas(self, depth: int) -> dict[str, MultiPolygon]:
        """Every area of level ``depth`` as the union of its faces, by key."""
        groups: dict[str, list[int]] = defaultdict(list)
        for index, key in enumerate(self.labels[depth]):
            groups[key].append(index)
        return {
            key: as_multipolygon(shapely.coverage_union_all(self.faces[indices]))
            for key, indices in sorted(groups.items())
        }

    def subdivide(self, zones: dict[str, list[Zone]], cuts: Iterable[BaseGeometry] = ()) -> None:
        """Split every area of the finest level into the Voronoi cells of its zones' seeds.

        ``zones`` maps each area key to the zones that tile it; ``cuts`` are the extra lines that
        separate the zones of one area (they must lie inside it).
        """
        new_lines = list(cuts)
        for key in sorted(zones):
            for zone in zones[key]:
                edges = voronoi_edges(zone.seeds, zone.region)
                if edges is not None and not edges.is_empty:
                    new_lines.append(edges)
        self.lines.extend(new_lines)
        noded = shapely.union_all(np.asarray(self.lines, dtype=object))
        faces = np.asarray(shapely.polygonize(shapely.get_parts(noded)).geoms, dtype=object)
        probes = shapely.point_on_surface(faces)

        # Each new face lies inside exactly one old face: inherit its labels.
        old = self._containing_old_face(probes)
        self.labels = [labels[old] for labels in self.labels]
        self.faces = faces

        parents = self.labels[-1]
        child = np.empty(len(faces), dtype=object)
        for index, (probe, parent) in enumerate(zip(probes, parents, strict=True)):
            child[index] = _nearest_key(zones[parent], probe)
        self.labels.append(child)
        self._merge_fragments()

    def _containing_old_face(self, probes: np.ndarray) -> np.ndarray:
        tree = shapely.STRtree(self.faces)
        probe_index, face_index = tree.query(probes, predicate="within")
        old = np.full(len(probes), -1)
        # Reversed so that the first match wins when a probe sits on a shared edge.
        old[probe_index[::-1]] = face_index[::-1]
        missing = np.flatnonzero(old < 0)
        if len(missing):
            old[missing] = tree.query_nearest(probes[missing], all_matches=False)[1]
        return old

    def _merge_fragments(self) -> None:
        """Give every detached piece of an area to the sibling it shares the longest edge with.

        Voronoi cells clipped to a concave parent can fall apart; each area keeps its largest piece.
        """
        depth = self.depth
        labels, parents = self.labels[depth], self.labels[depth - 1]
        tree = shapely.STRtree(self.faces)
        probes = shapely.point_on_surface(self.faces)
        for key, area in self.areas(depth).items():
            if len(area.geoms) < 2:
                continue
            pieces = sorted(area.geoms, key=lambda piece: piece.area, reverse=True)
            own = np.flatnonzero(labels == key)
            for piece in pieces[1:]:
                members = own[shapely.contains(piece, probes[own])]
                heir = self._best_neighbour(piece, key, parents[members[0]], tree)
                if heir is not None:
                    labels[members] = heir

    def _best_neighbour(
        self, piece: BaseGeometry, key: str, parent: str, tree: shapely.STRtree
    ) -> str | None:
        labels, parents = self.labels[self.depth], self.labels[self.depth - 1]
        shared: dict[str, float] = defaultdict(float)
        for index in tree.query(piece, predicate="intersects"):
            other = labels[index]
            if other == key or parents[index] != parent:
                continue
            shared[other] += piece.boundary.intersection(self.faces[index].boundary).length
        candidates = [(-length, other) for other, length in shared.items() if length > 0]
        return min(candidates)[1] if candidates else None


def _nearest_key(zones: list[Zone], probe: BaseGeometry) -> str:
    """The key of the seed nearest to ``probe`` within the zone that contains it."""
    zone = zones[0]
    if len(zones) > 1:
        distances = [candidate.region.distance(probe) for candidate in zones]
        zone = zones[int(np.argmin(distances))]
    gaps = np.hypot(zone.seeds[:, 0] - probe.x, zone.seeds[:, 1] - probe.y)
    return zone.keys[int(np.argmin(gaps))]
