"""Travel times on the road network: many units to one matter, and one unit's route.

Method (docs/roads.md, "Travel times in dispatch"):

- **Snapping** (roads/snapping.py, kept between calls per position): every point (the matter,
  each unit) is placed on its nearest edge that its travel mode may use inside its mode's box, as
  a fraction along that edge (pgRouting's "points on edges", ``pgr_withPointsCost``), not on the
  edge's nearer node. A point snapped to a node would have to drive to that node even when the
  matter lies the other way along the same road; with fractions the graph is split at the point
  and both directions are open (one-way edges stay one-way), and a unit on the matter's own edge
  drives the stretch between them only.
- **Off-road legs**: from a point to its place on the edge, and from the matter's place on its
  edge to the matter, on foot at ``OFF_ROAD_SPEED_KMH``, measured on the geography.
- **One query per mode**: the units of one mode are routed in one ``pgr_withPointsCost`` call
  from the matter over the *reversed* graph (source and target swapped, fractions mirrored), so
  one Dijkstra search answers "unit → matter" for all of them and vehicles honour one-way streets
  in the direction they drive: towards the matter. The modes present share one statement.
- **Neighbourhood**: each mode's search reads the edges meeting a box around the matter and that
  mode's units plus a margin (``BOX_MARGIN_M``, at least ``BOX_MARGIN_SHARE`` of the box's
  longer side): pgRouting's time grows with the edges it reads (about 4 µs an edge here). A unit
  the search does not reach in its box is tried once more with ``WIDE_FACTOR`` times the margin
  (a bridge far up the river).
- **Fallback**: a unit that cannot be routed gets the straight-line ETA (its distance at the
  mode's ``STRAIGHT_LINE_SPEED_KMH``), labelled ``straight_line`` with why: no road network, no
  road of its mode near it or the matter, or not connected by road.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.db import connection
from django.db import models as db_models
from django.utils.translation import gettext_lazy as _

from roads.choices import OFF_ROAD_SPEED_KMH, STRAIGHT_LINE_SPEED_KMH, TravelMode
from roads.models import RoadNetwork
from roads.queries import active_network, edges_sql
from roads.snapping import (
    Box,
    Point,
    Snap,
    box_around,
    place,
    quote,
    same_place,
    virtual_edges_sql,
    walk_seconds,
)

# The box read around the matter and its units: this margin, and at least this share of the
# box's longer side (roads wind out of the straight box between two points).
BOX_MARGIN_M = 1500.0
BOX_MARGIN_SHARE = 0.25
# Units not reached in the box are routed once more in a box this many times the margin.
WIDE_FACTOR = 4.0
MATTER_PID = 1


class EtaSource(db_models.TextChoices):
    """Where an ETA comes from."""

    ROAD = "road", _("by road")
    STRAIGHT_LINE = "straight_line", _("straight line")


class Fallback(db_models.TextChoices):
    """Why a unit got the straight-line ETA."""

    NO_NETWORK = "no_network", _("no road network loaded")
    NO_ROAD = "no_road", _("no road of its travel mode nearby")
    NOT_CONNECTED = "not_connected", _("not connected by road")


@dataclass(frozen=True)
class Traveller:
    """A unit to route: its key (the responder id), where it is and how it moves."""

    key: int
    lon: float
    lat: float
    mode: str
    distance_m: float | None = None  # straight line to the matter, when the caller has it


@dataclass(frozen=True)
class Eta:
    """How long a unit takes to reach the matter, and how that was worked out."""

    seconds: float
    source: str  # EtaSource
    distance_m: float  # straight line
    fallback: str = ""  # Fallback, for a straight-line ETA
    off_road_m: float = 0.0  # both walking legs, for a road ETA

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


def straight_line_seconds(distance_m: float, mode: str) -> float:
    """Today's ETA without roads: the straight line at the mode's straight-line speed."""
    return distance_m / 1000.0 / STRAIGHT_LINE_SPEED_KMH[TravelMode(mode)] * 3600.0


def travel_times(
    matter: tuple[float, float],
    units: Sequence[Traveller],
    *,
    network: RoadNetwork | None = None,
) -> dict[int, Eta]:
    """The ETA of every unit to the matter at (lon, lat), by road where it can be routed.

    Two statements for any number of units and modes (snap, then route), plus one for the units
    the first box did not reach. ``network`` defaults to the active one; with none every ETA is
    the straight line.
    """
    if not units:
        return {}
    distances = straight_distances(matter, units)
    network = network if network is not None else active_network()
    if network is None:
        return {u.key: straight_eta(u, distances[u.key], Fallback.NO_NETWORK) for u in units}
    etas = _route_in_box(network, matter, units, distances, BOX_MARGIN_M)
    missing = [u for u in units if u.key not in etas]
    if missing:
        margin = BOX_MARGIN_M * WIDE_FACTOR
        etas.update(_route_in_box(network, matter, missing, distances, margin, final=True))
    return etas


def best_travel_times(
    matter: tuple[float, float],
    units: Sequence[Traveller],
    *,
    limit: int,
    bonus_s: dict[int, float] | None = None,
    network: RoadNetwork | None = None,
) -> dict[int, Eta]:
    """The ETAs of the units that can rank among the first ``limit`` by ETA less their bonus
    (seconds; the own-area preference); the others are left out, unrouted.

    Exact, not a heuristic: no road ETA is shorter than the straight line at the fastest speed
    the unit's mode has on this network (``fastest_speeds_ms``), so a
    unit whose bound is above the ``limit``-th best score found cannot enter the list. The
    units with the lowest bounds are routed first, then only those whose bound is below the
    score to beat: on a sparse window the far units' wide boxes are never read.
    """
    network = network if network is not None else active_network()
    if network is None or len(units) <= limit:
        return travel_times(matter, units, network=network)
    bonus = bonus_s or {}
    distances = straight_distances(matter, units)
    fastest = fastest_speeds_ms(network)
    bound = {
        u.key: distances[u.key] / fastest.get(str(u.mode), 1.0) - bonus.get(u.key, 0.0)
        for u in units
    }
    order = sorted(units, key=lambda u: (bound[u.key], u.key))
    known = [replace(u, distance_m=distances[u.key]) for u in order]
    etas = travel_times(matter, known[:limit], network=network)
    scores = sorted(eta.seconds - bonus.get(key, 0.0) for key, eta in etas.items())
    to_beat = scores[limit - 1] if len(scores) >= limit else math.inf
    rest = [u for u in known[limit:] if bound[u.key] <= to_beat]
    if rest:
        etas.update(travel_times(matter, rest, network=network))
    return etas


def fastest_speeds_ms(network: RoadNetwork) -> dict[str, float]:
    """The speed (m/s) no ETA of each mode beats on ``network``: its fastest edge for the mode
    (``RoadNetwork.fastest_kmh``, kept by recompute_costs), walking off the road, or the
    straight-line speed of a unit that cannot be routed, whichever is fastest."""
    fastest = network.fastest_kmh or {}
    return {
        str(mode): max(
            float(fastest.get(str(mode)) or 0.0),
            OFF_ROAD_SPEED_KMH,
            STRAIGHT_LINE_SPEED_KMH[mode],
        )
        # A hair faster: the stored speed is a quotient of the stored length and seconds.
        * (1 + 1e-9)
        / 3.6
        for mode in TravelMode
    }


# --- helpers -------------------------------------------------------------------------------------


def straight_eta(unit: Traveller, distance: float, why: str) -> Eta:
    """The straight-line ETA of ``unit`` ``distance`` metres away, labelled with ``why``."""
    seconds = straight_line_seconds(distance, unit.mode)
    return Eta(seconds, EtaSource.STRAIGHT_LINE, distance, fallback=why)


_DISTANCES_SQL = """
SELECT t.key, ST_Distance(ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326)::geography,
                          ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)
FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS t(key, lon, lat)
"""


def straight_distances(matter: tuple[float, float], units: Sequence[Traveller]) -> dict[int, float]:
    """Metres from each unit to the matter on the geography (the caller's figure where given)."""
    known = {u.key: float(u.distance_m) for u in units if u.distance_m is not None}
    unknown = [u for u in units if u.distance_m is None]
    if unknown:
        columns = ([u.key for u in unknown], [u.lon for u in unknown], [u.lat for u in unknown])
        with connection.cursor() as cursor:
            cursor.execute(_DISTANCES_SQL, [*matter, *columns])
            known.update((key, float(metres)) for key, metres in cursor.fetchall())
    return known


def dispatch_box(matter: tuple[float, float], units: Iterable[Traveller], margin_m: float) -> Box:
    """The box one mode's search reads: the matter and the units, widened by ``margin_m`` or
    ``BOX_MARGIN_SHARE`` of the box's longer side."""
    return box_around([matter, *((u.lon, u.lat) for u in units)], margin_m, share=BOX_MARGIN_SHARE)


def snap_for_dispatch(
    network: RoadNetwork,
    matter: tuple[float, float],
    units: Sequence[Traveller],
    boxes: dict[str, Box],
) -> dict[tuple[int, str], Snap]:
    """The places on the network of the matter (once per mode present) and of each unit, by
    (pid, mode): the matter is ``MATTER_PID``, the n-th unit ``unit_pid(n)``; each on the edges
    of its mode's box."""
    modes = sorted({u.mode for u in units})
    keys = [(MATTER_PID, mode) for mode in modes]
    keys += [(unit_pid(index), u.mode) for index, u in enumerate(units)]
    points = [Point(mode, *matter, box=boxes[mode]) for mode in modes]
    points += [Point(u.mode, u.lon, u.lat, box=boxes[u.mode]) for u in units]
    snaps = place(network, points)
    return {key: snap for key, snap in zip(keys, snaps, strict=True) if snap is not None}


def unit_pid(index: int) -> int:
    """The point id of the ``index``-th unit of a call (the matter's is MATTER_PID)."""
    return MATTER_PID + 1 + index


def _reversed(sql: str) -> str:
    """The edges query with every edge turned round: a search from the matter over it gives each
    unit's time to the matter on the real graph."""
    return f"SELECT id, target AS source, source AS target, cost, reverse_cost FROM ({sql}) e"


def _route_in_box(
    network: RoadNetwork,
    matter: tuple[float, float],
    units: Sequence[Traveller],
    distances: dict[int, float],
    margin_m: float,
    *,
    final: bool = False,
) -> dict[int, Eta]:
    """ETAs of the units routed inside their mode's box with ``margin_m``; a unit not reached
    is left out (``final``: it gets the straight line, as does every unit that cannot be routed
    at all)."""
    boxes = {
        mode: dispatch_box(matter, [u for u in units if u.mode == mode], margin_m)
        for mode in {u.mode for u in units}
    }
    snaps = snap_for_dispatch(network, matter, units, boxes)
    etas: dict[int, Eta] = {}
    calls: list[str] = []
    routed: dict[int, tuple[Traveller, float, bool]] = {}  # pid: unit, off-road metres, same place
    for mode in sorted({u.mode for u in units}):
        there = snaps.get((MATTER_PID, mode))
        points: dict[int, Snap] = {}
        for pid, unit in ((unit_pid(i), u) for i, u in enumerate(units) if u.mode == mode):
            here = snaps.get((pid, mode))
            why = unroutable(here, there)
            if why:
                etas[unit.key] = straight_eta(unit, distances[unit.key], why)
            else:
                routed[pid] = (unit, here.off_m + there.off_m, same_place(here, there))
                points[pid] = here
        if points:
            calls.append(_costs_sql(network, mode, boxes[mode], there, points))
    reached: dict[int, float] = {}
    if calls:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(calls))
            reached = {int(pid): float(cost) for pid, cost in cursor.fetchall()}
    for pid, (unit, leg, at_matter) in routed.items():
        cost = 0.0 if at_matter else reached.get(pid)
        if cost is not None:
            etas[unit.key] = Eta(
                seconds=cost + walk_seconds(leg),
                source=EtaSource.ROAD,
                distance_m=distances[unit.key],
                off_road_m=leg,
            )
        elif final:
            etas[unit.key] = straight_eta(unit, distances[unit.key], Fallback.NOT_CONNECTED)
    return etas


def unroutable(here: Snap | None, there: Snap | None) -> str:
    """Why a unit placed at ``here`` cannot be routed to the matter at ``there``; "" if it can."""
    if here is None or there is None:
        return Fallback.NO_ROAD
    if here.component != there.component:
        return Fallback.NOT_CONNECTED
    return ""


def _costs_sql(
    network: RoadNetwork,
    mode: str,
    box: Box,
    there: Snap,
    points: dict[int, Snap],
) -> str:
    """One mode's search: from the matter over the reversed graph to the units' points, the
    points joined to the graph as vertices (``virtual_edges_sql``; vertex ``-pid``)."""
    virtual = virtual_edges_sql({MATTER_PID: there, **points}, walking=mode == TravelMode.WALK)
    graph = f"{edges_sql(network.pk, mode, box)} UNION ALL {virtual}"
    ends = ", ".join(str(-pid) for pid in points)
    return (
        f"SELECT -end_vid AS pid, agg_cost "
        f"FROM pgr_dijkstraCost({quote(_reversed(graph))}, {-MATTER_PID}, "
        f"ARRAY[{ends}]::bigint[], directed => true)"
    )
