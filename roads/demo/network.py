"""Generate the demo county's synthetic road network from its township seats and village centres.

SYNTHETIC, like the demo's township and village polygons: no road here was surveyed. The layout
follows how a Loess-Plateau county's roads are organised, not where they are:

* the three hand-drawn corridors (roads/demo/corridors.py) smoothed into gentle curves: the G30
  expressway, the G316 national road and the north–south provincial road;
* the expressway meets the rest only at interchanges: a county-road link from the G30 to each of
  the (at most four) township seats within 6 km of it, ending on one of its vertices (noding
  joins expressways only at shared vertices);
* county roads (县道) link every township seat along a minimum spanning tree of the seats, and
  township roads (乡道) add the short loops a spanning tree lacks (two neighbouring seats more
  than 1.6 times farther apart by the tree than in a straight line);
* village roads (村道) link every village centre (the label point of its area) to the trunk
  roads above along a spanning tree of the township's villages and the trunk: a spur to the
  nearest county or national road, or a road from the next village;
* a street grid (街道) in the county seat.

Every link is a gentle curve (a few sine harmonics across its straight line, seeded by the
codes it joins), sampled every 150 m, so that the network is deterministic and not made of
straight lines. Work is in CGCS2000 Gauss-Krüger metres (EPSG:4544), results in WGS84.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import minimum_spanning_tree, shortest_path
from scipy.spatial import Delaunay

from gridmap.demo.county import METRIC_CRS, WGS84_CRS
from roads.choices import RoadClass
from roads.demo.corridors import CORRIDOR_CLASSES, CORRIDORS

SEED = 621_122_15
SAMPLE_M = 150.0  # distance between the vertices of a generated road
BEND = 0.07  # standard deviation of a link's first harmonic, as a share of its length
INTERCHANGE_REACH_M = 6_000.0
MAX_INTERCHANGES = 4
LOOP_DETOUR = 1.6  # add a township road where the tree is this much longer than a straight line
LOOP_MAX_M = 15_000.0
STREET_SPACING_M = (300.0, 250.0)  # east–west, north–south
STREET_EXTENT_M = (1_800.0, 1_000.0)  # half the grid's width and height
STREET_ROTATION_DEG = 10.0
MARK = "（示意）"


@dataclass(frozen=True)
class Place:
    """A township seat or a village centre (WGS84)."""

    code: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class DemoRoad:
    """One generated road: WGS84 vertices, class and a name ending in （示意）."""

    coords: np.ndarray
    road_class: str
    name: str


class _Metric:
    def __init__(self) -> None:
        self._to = Transformer.from_crs(WGS84_CRS, METRIC_CRS, always_xy=True)
        self._back = Transformer.from_crs(METRIC_CRS, WGS84_CRS, always_xy=True)

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        return np.column_stack(self._to.transform(lonlat[:, 0], lonlat[:, 1]))

    def lonlat(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack(self._back.transform(xy[:, 0], xy[:, 1]))


def generate_roads(
    seats: dict[str, Place], villages: dict[str, list[Place]], county_seat: str
) -> list[DemoRoad]:
    """The demo network: ``seats`` by township code, ``villages`` by township code,
    ``county_seat`` the code of the township whose seat the street grid is drawn around."""
    metric = _Metric()
    roads: list[tuple[np.ndarray, str, str]] = []
    expressway = None
    for name, vertices in CORRIDORS.items():
        line = _smooth(metric.xy(np.array(vertices, dtype=float)))
        roads.append((line, CORRIDOR_CLASSES[name], name))
        if CORRIDOR_CLASSES[name] == RoadClass.EXPRESSWAY:
            expressway = line
    codes = sorted(seats)
    seat_xy = metric.xy(np.array([(seats[c].lon, seats[c].lat) for c in codes]))
    if expressway is not None:
        roads += _interchanges(expressway, codes, seat_xy, seats)
    roads += _seat_links(codes, seat_xy, seats)
    trunk = shapely.MultiLineString(
        [xy for xy, road_class, _name in roads if road_class != RoadClass.EXPRESSWAY]
    )
    for township in codes:
        places = villages.get(township, [])
        if places:
            roads += _village_roads(trunk, places, metric)
    roads += _street_grid(seat_xy[codes.index(county_seat)], seats[county_seat].name)
    return [
        DemoRoad(coords=metric.lonlat(xy), road_class=road_class, name=name)
        for xy, road_class, name in roads
    ]


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([SEED, *keys])


def _key(code: str) -> int:
    return int(code) % 2**62


def bend(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A gentle curve from ``a`` to ``b`` (metres), its ends exactly ``a`` and ``b``."""
    length = float(np.hypot(*(b - a)))
    steps = max(2, math.ceil(length / SAMPLE_M))
    t = np.linspace(0.0, 1.0, steps + 1)
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    weights = rng.normal(0.0, [BEND, BEND / 2, BEND / 4])
    offset = sum(w * np.sin((k + 1) * math.pi * t) for k, w in enumerate(weights)) * length
    offset = np.clip(offset, -0.2 * length, 0.2 * length)
    curve = a + np.outer(t, b - a) + np.outer(offset, normal)
    curve[0], curve[-1] = a, b
    return curve


def _smooth(xy: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin's corner cutting (ends kept), then a vertex every SAMPLE_M metres."""
    for _round in range(rounds):
        inner = np.repeat(xy[:-1], 2, axis=0) * 0.0
        inner[0::2] = 0.75 * xy[:-1] + 0.25 * xy[1:]
        inner[1::2] = 0.25 * xy[:-1] + 0.75 * xy[1:]
        xy = np.vstack([xy[:1], inner, xy[-1:]])
    line = shapely.segmentize(shapely.LineString(xy), SAMPLE_M)
    return shapely.get_coordinates(line)


def _interchanges(
    expressway: np.ndarray, codes: list[str], seat_xy: np.ndarray, seats: dict[str, Place]
) -> list[tuple[np.ndarray, str, str]]:
    """Links from the seats nearest the expressway to one of its vertices (the interchange)."""
    line = shapely.LineString(expressway)
    distances = shapely.distance(shapely.points(seat_xy), line)
    order = [i for i in np.argsort(distances, kind="stable") if distances[i] <= INTERCHANGE_REACH_M]
    roads = []
    for index in order[:MAX_INTERCHANGES]:
        vertex = expressway[np.argmin(np.hypot(*(expressway - seat_xy[index]).T))]
        curve = bend(vertex, seat_xy[index], _rng(1, _key(codes[index])))
        name = f"{seats[codes[index]].name}互通连接线{MARK}"
        roads.append((curve, RoadClass.COUNTY, name))
    return roads


def _seat_links(
    codes: list[str], seat_xy: np.ndarray, seats: dict[str, Place]
) -> list[tuple[np.ndarray, str, str]]:
    """County roads along the seats' spanning tree, township roads for the missing loops."""
    distance = np.hypot(*(seat_xy[:, None, :] - seat_xy[None, :, :]).transpose(2, 0, 1))
    tree = minimum_spanning_tree(distance).toarray()
    pairs = sorted(zip(*np.nonzero(tree), strict=True))
    roads = []
    for number, (i, j) in enumerate(pairs, start=1):
        name = f"X{number:03d} {seats[codes[i]].name}—{seats[codes[j]].name}县道{MARK}"
        curve = bend(seat_xy[i], seat_xy[j], _rng(2, _key(codes[i]), _key(codes[j])))
        roads.append((curve, RoadClass.COUNTY, name))
    if len(codes) < 4:
        return roads
    by_tree = shortest_path(tree + tree.T, directed=False)
    candidates = set()
    for simplex in Delaunay(seat_xy).simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            i, j = sorted((int(simplex[a]), int(simplex[b])))
            candidates.add((i, j))
    loops = sorted(
        (distance[i, j], i, j)
        for i, j in candidates
        if distance[i, j] <= LOOP_MAX_M and by_tree[i, j] > LOOP_DETOUR * distance[i, j]
    )
    for number, (_d, i, j) in enumerate(loops, start=1):
        name = f"Y{number:03d} {seats[codes[i]].name}—{seats[codes[j]].name}乡道{MARK}"
        curve = bend(seat_xy[i], seat_xy[j], _rng(3, _key(codes[i]), _key(codes[j])))
        roads.append((curve, RoadClass.TOWNSHIP, name))
    return roads


def _village_roads(
    trunk: shapely.Geometry, places: list[Place], metric: _Metric
) -> list[tuple[np.ndarray, str, str]]:
    """Village roads along the spanning tree of the township's village centres and the trunk
    roads (the trunk as one more node, as far from a village as its nearest point): a village
    near a county road gets a spur to it, the others a road from the next village."""
    xy = metric.xy(np.array([(p.lon, p.lat) for p in places]))
    count = len(places)
    weights = np.zeros((count + 1, count + 1))
    weights[1:, 1:] = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    # A trunk distance of 0 would read as "no edge" to scipy: a millimetre instead.
    weights[0, 1:] = np.maximum(shapely.distance(shapely.points(xy), trunk), 1e-3)
    tree = minimum_spanning_tree(weights).toarray()
    hops = shortest_path(tree + tree.T, directed=False, indices=0, unweighted=True)
    roads = []
    for i, j in sorted(zip(*np.nonzero(tree), strict=True)):
        near, far = (i, j) if hops[i] <= hops[j] else (j, i)
        village = places[far - 1]
        if near == 0:
            start = shapely.get_coordinates(
                shapely.shortest_line(shapely.Point(xy[far - 1]), trunk)
            )[-1]
        else:
            start = xy[near - 1]
        if np.hypot(*(xy[far - 1] - start)) < 1.0:
            continue  # the centre is on the trunk road already (a township's seat)
        curve = bend(start, xy[far - 1], _rng(4, _key(village.code)))
        roads.append((curve, RoadClass.VILLAGE, f"{village.name}通村路{MARK}"))
    return roads


def _street_grid(centre: np.ndarray, town: str) -> list[tuple[np.ndarray, str, str]]:
    """Straight streets, rotated a little, crossing around the county seat."""
    angle = math.radians(STREET_ROTATION_DEG)
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    (dx, dy), (wx, wy) = STREET_SPACING_M, STREET_EXTENT_M
    roads = []
    for number, y in enumerate(np.arange(-wy, wy + 1, dy), start=1):
        ends = np.array([[-wx, y], [wx, y]]) @ rotate.T + centre
        line = shapely.get_coordinates(shapely.segmentize(shapely.LineString(ends), SAMPLE_M))
        roads.append((line, RoadClass.STREET, f"{town}东西{number}街{MARK}"))
    for number, x in enumerate(np.arange(-wx, wx + 1, dx), start=1):
        ends = np.array([[x, -wy], [x, wy]]) @ rotate.T + centre
        line = shapely.get_coordinates(shapely.segmentize(shapely.LineString(ends), SAMPLE_M))
        roads.append((line, RoadClass.STREET, f"{town}南北{number}路{MARK}"))
    return roads
