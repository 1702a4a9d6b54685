"""Noding: cut roads where they meet so that the graph connects where a traveller can turn.

The rule (docs/roads.md, "Noding"):

* Every road is cut at a vertex it shares with another road (within ``VERTEX_TOLERANCE_M``):
  OpenStreetMap ways and most surveyed data join that way, interchanges included.
* Roads at grade (not expressways, not marked ``grade_separated`` like OSM bridges and tunnels)
  are also cut where they cross each other or overlap, and a road at grade that ends within
  ``snap_tolerance_m`` (1 m by default) of another one's middle is joined to it (a T-junction
  digitised a little short or long).
* Expressways and grade-separated roads meet other roads only at shared vertices: an expressway
  crossing a village road without a shared vertex is a bridge, not a junction. Such crossings are
  counted in the report.

The work is done with shapely in a local metric plane (equirectangular at the data's mean
latitude: within 0.2 % over a county, far below the tolerances) on an STRtree, so a county's tens
of thousands of lines node in seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import LineString

# Vertices and cut points closer than this are one node.
VERTEX_TOLERANCE_M = 0.01
DEFAULT_SNAP_TOLERANCE_M = 1.0
_METRES_PER_DEGREE = 111_320.0


@dataclass
class Noded:
    """The cut pieces (metric plane back to WGS84) and where they start and end.

    ``pieces`` are WGS84 line strings, ``origin[i]`` the index of the input line piece i comes
    from, ``source[i]``/``target[i]`` node numbers into ``nodes`` (WGS84 points as (lon, lat)).
    """

    pieces: list[LineString]
    origin: np.ndarray
    source: np.ndarray
    target: np.ndarray
    nodes: np.ndarray
    unjoined: np.ndarray  # crossings left without a junction (WGS84), for the report
    counts: dict[str, int] = field(default_factory=dict)


class _Plane:
    """WGS84 degrees ↔ local metres (equirectangular at the mean latitude)."""

    def __init__(self, lines: list[LineString]) -> None:
        bounds = shapely.total_bounds(lines)
        self.lon0 = (bounds[0] + bounds[2]) / 2
        self.lat0 = (bounds[1] + bounds[3]) / 2
        self.kx = _METRES_PER_DEGREE * math.cos(math.radians(self.lat0))
        self.ky = _METRES_PER_DEGREE

    def to_metric(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - self.lon0) * self.kx, (xy[:, 1] - self.lat0) * self.ky])

    def to_wgs84(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] / self.kx + self.lon0, xy[:, 1] / self.ky + self.lat0])


def node_lines(
    lines: list[LineString],
    grade_separated: np.ndarray,
    *,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
) -> Noded:
    """Cut ``lines`` (WGS84, simple or not) by the rule above; ``grade_separated[i]`` marks the
    lines that meet others only at shared vertices (expressways, bridges, tunnels)."""
    if not lines:
        empty = np.zeros(0, dtype=int)
        return Noded([], empty, empty, empty, np.zeros((0, 2)), np.zeros((0, 2)))
    plane = _Plane(lines)
    metric = shapely.transform(np.asarray(lines, dtype=object), plane.to_metric)
    origin = np.arange(len(metric))
    metric, origin = _simple_parts(metric, origin)
    separated = np.asarray(grade_separated, dtype=bool)[origin]
    counts: dict[str, int] = {}
    cuts: list[list[tuple[float, np.ndarray]]] = [[] for _ in range(len(metric))]

    metric, counts["t_junctions_snapped"] = _snap_t_junctions(
        metric, separated, cuts, snap_tolerance_m
    )
    counts["shared_vertices"], shared_keys = _shared_vertex_cuts(metric, cuts)
    counts["crossings_noded"], unjoined = _crossing_cuts(metric, separated, cuts, shared_keys)
    counts["crossings_not_joined"] = len(unjoined)

    pieces, piece_origin = [], []
    for index, line in enumerate(metric):
        for piece in _cut(line, cuts[index]):
            pieces.append(piece)
            piece_origin.append(index)
    ends = np.array([[piece[0], piece[-1]] for piece in pieces], dtype=float).reshape(
        -1, 2
    )  # start, end, start, end, …
    node_of_end, node_xy = _cluster(ends, VERTEX_TOLERANCE_M)
    wgs84 = []
    for number, piece in enumerate(pieces):
        # Ends exactly on their node, so an edge's geometry starts and stops at its nodes.
        piece[0] = node_xy[node_of_end[2 * number]]
        piece[-1] = node_xy[node_of_end[2 * number + 1]]
        wgs84.append(LineString(plane.to_wgs84(piece)))
    source, target = node_of_end[0::2], node_of_end[1::2]
    # A piece that shrank to one node (a sliver between two cuts closer than the tolerance).
    keep = np.array(
        [s != t or len(p) > 2 for s, t, p in zip(source, target, pieces, strict=True)], dtype=bool
    )
    counts["slivers_dropped"] = int((~keep).sum())
    return Noded(
        pieces=[p for p, k in zip(wgs84, keep, strict=True) if k],
        origin=np.asarray(origin[np.asarray(piece_origin, dtype=int)], dtype=int)[keep]
        if pieces
        else np.zeros(0, dtype=int),
        source=source[keep],
        target=target[keep],
        nodes=plane.to_wgs84(node_xy) if len(node_xy) else np.zeros((0, 2)),
        unjoined=plane.to_wgs84(unjoined) if len(unjoined) else np.zeros((0, 2)),
        counts=counts,
    )


def _simple_parts(metric: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A line that crosses itself is split into simple parts first (GEOS noding of the line),
    so that every point on a part has one position along it."""
    simple = shapely.is_simple(metric)
    if simple.all():
        return metric, origin
    parts, owners = [], []
    for index, line in enumerate(metric):
        if simple[index]:
            parts.append(line)
            owners.append(origin[index])
            continue
        for part in shapely.get_parts(shapely.node(line)):
            parts.append(part)
            owners.append(origin[index])
    return np.asarray(parts, dtype=object), np.asarray(owners, dtype=int)


def _snap_t_junctions(
    metric: np.ndarray,
    separated: np.ndarray,
    cuts: list[list[tuple[float, np.ndarray]]],
    tolerance: float,
) -> tuple[np.ndarray, int]:
    """Move a dangling end of a road at grade onto the road at grade it stops short of (or
    overshoots) by at most ``tolerance`` metres, and cut that road there."""
    if tolerance <= 0:
        return metric, 0
    at_grade = np.flatnonzero(~separated)
    if len(at_grade) < 2:
        return metric, 0
    coords = [shapely.get_coordinates(line) for line in metric]
    starts = np.array([c[0] for c in coords])
    ends = np.array([c[-1] for c in coords])
    end_xy = np.vstack([starts[at_grade], ends[at_grade]])
    end_line = np.concatenate([at_grade, at_grade])
    end_is_start = np.concatenate([np.ones(len(at_grade), bool), np.zeros(len(at_grade), bool)])
    # An end already shared with another line's end or vertex is a junction: leave it.
    vertex_keys = _keys(np.vstack(coords), VERTEX_TOLERANCE_M)
    key_counts: dict[tuple[int, int], int] = {}
    for key in map(tuple, vertex_keys):
        key_counts[key] = key_counts.get(key, 0) + 1
    end_keys = _keys(end_xy, VERTEX_TOLERANCE_M)
    dangling = np.array([key_counts[tuple(k)] == 1 for k in end_keys], dtype=bool)

    tree = shapely.STRtree(metric[at_grade])
    which = np.flatnonzero(dangling)
    points = shapely.points(end_xy[which])
    near, found = tree.query(points, predicate="dwithin", distance=tolerance)
    others = at_grade[found]
    own = end_line[which[near]] == others
    near, others = near[~own], others[~own]
    distance = shapely.distance(points[near], metric[others])
    done: set[int] = set()
    moved_lines: set[int] = set()
    snapped = 0
    # Nearest road first, one move per end; an end lying on a road already is cut there by the
    # crossing step.
    for index in np.lexsort((distance, near)):
        end = int(which[near[index]])
        if end in done:
            continue
        done.add(end)
        if distance[index] == 0:
            continue
        other = others[index]
        along = shapely.line_locate_point(metric[other], points[near[index]])
        foot = shapely.get_coordinates(shapely.line_interpolate_point(metric[other], along))[0]
        cuts[other].append((float(along), foot))
        line = int(end_line[end])
        coords[line][0 if end_is_start[end] else -1] = foot
        moved_lines.add(line)
        snapped += 1
    if not moved_lines:
        return metric, 0
    metric = metric.copy()
    for line in moved_lines:
        metric[line] = LineString(coords[line])
    return metric, snapped


def _shared_vertex_cuts(
    metric: np.ndarray, cuts: list[list[tuple[float, np.ndarray]]]
) -> tuple[int, set[tuple[int, int]]]:
    """Cut every line at each inner vertex another line (or the line itself) also has; returns
    the number of cuts and the keys of every shared vertex."""
    coords = [shapely.get_coordinates(line) for line in metric]
    sizes = np.array([len(c) for c in coords])
    everything = np.vstack(coords)
    keys = _keys(everything, VERTEX_TOLERANCE_M)
    unique, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    shared_keys = set(map(tuple, unique[counts > 1].tolist()))
    inverse = inverse.ravel()
    shared = counts[inverse] > 1
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    made = 0
    for index, line_coords in enumerate(coords):
        inner = np.flatnonzero(shared[offsets[index] + 1 : offsets[index + 1] - 1]) + 1
        if len(inner) == 0:
            continue
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(line_coords, axis=0).T))])
        # A vertex within the tolerance of the line's own end is that end: no cut.
        inner = inner[
            (along[inner] > VERTEX_TOLERANCE_M) & (along[inner] < along[-1] - VERTEX_TOLERANCE_M)
        ]
        for vertex in inner:
            cuts[index].append((float(along[vertex]), line_coords[vertex]))
        made += len(inner)
    return made, shared_keys


def _crossing_cuts(
    metric: np.ndarray,
    separated: np.ndarray,
    cuts: list[list[tuple[float, np.ndarray]]],
    shared_keys: set[tuple[int, int]],
) -> tuple[int, np.ndarray]:
    """Cut roads at grade where they cross or overlap. Returns the number of cuts made inside a
    road and the crossings left unjoined (a grade-separated road over another, no shared vertex)."""
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="intersects")
    ordered = left < right
    left, right = left[ordered], right[ordered]
    meeting = shapely.intersection(metric[left], metric[right])
    points, pair = _meeting_points(meeting)
    if len(points) == 0:
        return 0, np.zeros((0, 2))
    a, b = left[pair], right[pair]
    joined = ~separated[a] & ~separated[b]
    keys = _keys(points, VERTEX_TOLERANCE_M)
    at_shared_vertex = np.array([tuple(k) in shared_keys for k in keys], dtype=bool)
    unjoined = points[~joined & ~at_shared_vertex]
    # Shared vertices are cut already; the rest of the meeting points of roads at grade here.
    cut_here = joined & ~at_shared_vertex
    points, a, b = points[cut_here], a[cut_here], b[cut_here]
    made = 0
    for lines in (a, b):
        along = shapely.line_locate_point(metric[lines], shapely.points(points))
        lengths = shapely.length(metric[lines])
        inside = (along > VERTEX_TOLERANCE_M) & (along < lengths - VERTEX_TOLERANCE_M)
        for index, distance, point in zip(
            lines[inside], along[inside], points[inside], strict=True
        ):
            cuts[index].append((float(distance), point))
        made += int(inside.sum())
    return made, _distinct(unjoined)


def _distinct(points: np.ndarray) -> np.ndarray:
    if len(points) == 0:
        return points
    _unique, first = np.unique(_keys(points, VERTEX_TOLERANCE_M), axis=0, return_index=True)
    return points[np.sort(first)]


def _meeting_points(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points where pairs of lines meet (crossing points and the ends of shared stretches), with
    the number of the pair each comes from."""
    parts, pair = shapely.get_parts(geometries, return_index=True)
    kinds = shapely.get_type_id(parts)
    point = kinds == shapely.GeometryType.POINT
    line = kinds == shapely.GeometryType.LINESTRING
    xy = [shapely.get_coordinates(parts[point])]
    owners = [pair[point]]
    if line.any():
        xy += [
            shapely.get_coordinates(shapely.get_point(parts[line], 0)),
            shapely.get_coordinates(shapely.get_point(parts[line], -1)),
        ]
        owners += [pair[line], pair[line]]
    return np.vstack(xy), np.concatenate(owners)


def _cut(line: LineString, cuts: list[tuple[float, np.ndarray]]) -> list[np.ndarray]:
    """The pieces of ``line`` between its cut points (metric coordinate arrays)."""
    coords = shapely.get_coordinates(line)
    if not cuts:
        return [coords.copy()]
    length = line.length
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    inner = sorted(
        (d, tuple(p)) for d, p in cuts if VERTEX_TOLERANCE_M < d < length - VERTEX_TOLERANCE_M
    )
    pieces: list[np.ndarray] = []
    start_d, start_p = 0.0, coords[0]
    for d, p in inner:
        if d - start_d <= VERTEX_TOLERANCE_M:
            continue  # the same place as the last cut
        between = coords[(along > start_d) & (along < d)]
        pieces.append(np.vstack([start_p, between, p]))
        start_d, start_p = d, np.asarray(p)
    between = coords[(along > start_d) & (along < length)]
    pieces.append(np.vstack([start_p, between, coords[-1]]))
    return pieces


def _keys(xy: np.ndarray, tolerance: float) -> np.ndarray:
    return np.floor(xy / tolerance + 0.5).astype(np.int64)


def _cluster(xy: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Node number of each point and the nodes' coordinates: points within ``tolerance`` of
    each other (transitively) are one node, placed at the first of them."""
    if len(xy) == 0:
        return np.zeros(0, dtype=int), np.zeros((0, 2))
    unique, first, inverse = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    tree = shapely.STRtree(shapely.points(unique))
    left, right = tree.query(shapely.points(unique), predicate="dwithin", distance=tolerance)
    parent = np.arange(len(unique))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in zip(left, right, strict=True):
        if a < b:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(len(unique))])
    # Number the nodes in the order their first point appears, so a build is deterministic.
    root_first = {}
    for index in np.argsort(first, kind="stable"):
        root_first.setdefault(roots[index], len(root_first))
    numbers = np.array([root_first[r] for r in roots])
    node_xy = np.zeros((len(root_first), 2))
    for index in np.argsort(first, kind="stable")[::-1]:
        node_xy[numbers[index]] = unique[index]
    return numbers[inverse], node_xy
