"""Write paths of the road network: build a version from lines, recompute travel times.

``build_network`` nodes the lines (roads/noding.py: cut where roads cross, meet at a shared
vertex or end on another's middle; expressways and bridges only at shared vertices), writes the
nodes and edges with COPY, computes the travel seconds from the speed table, finds the connected
components and stores what it found in ``RoadNetwork.report`` (roads/reporting.py prints it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import LineString
from django.db import connection, transaction
from django.utils.translation import gettext as _

from roads.choices import COST_COLUMN, DEFAULT_SPEEDS_KMH, RoadClass
from roads.models import RoadNetwork, RoadSpeed
from roads.noding import DEFAULT_SNAP_TOLERANCE_M, node_lines

# Small components listed one by one in the report (the rest only counted).
LISTED_COMPONENTS = 50
# Crossings left without a junction listed with their place.
LISTED_CROSSINGS = 20


@dataclass(frozen=True)
class RoadLine:
    """One road as read from a source: a WGS84 line and what travel on it depends on."""

    geom: LineString
    road_class: str = RoadClass.VILLAGE
    name: str = ""
    oneway: bool = False  # vehicles only in the line's direction
    # A bridge, tunnel or flyover: it joins other roads only at shared vertices (expressways
    # always do, whatever this says).
    grade_separated: bool = False


def build_network(
    *,
    name: str,
    lines: Iterable[RoadLine],
    source: str = "",
    synthetic: bool = False,
    imported_by: str = "",
    activate: bool = True,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
    report: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> RoadNetwork:
    """A new network version from ``lines``, noded, in one transaction; with ``activate`` it
    replaces the one in use (the old versions are deleted with their nodes and edges).

    ``report`` (what the reader found: skipped features, source CRS…) is stored with the
    network's own findings; ``progress`` receives one line per step.
    """
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    lines = [line for line in lines if not line.geom.empty and line.geom.length > 0]
    say(_("Noding %(n)d lines…") % {"n": len(lines)})
    noded = node_lines(
        [shapely.from_wkb(bytes(line.geom.wkb)) for line in lines],
        np.array(
            [line.grade_separated or line.road_class == RoadClass.EXPRESSWAY for line in lines],
            dtype=bool,
        ),
        snap_tolerance_m=snap_tolerance_m,
    )
    noded_at = time.perf_counter()
    say(
        _("Noded into %(edges)d edges and %(nodes)d nodes in %(s).1f s; writing…")
        % {"edges": len(noded.pieces), "nodes": len(noded.nodes), "s": noded_at - started}
    )
    with transaction.atomic():
        network = RoadNetwork.objects.create(
            name=name, source=source, synthetic=synthetic, imported_by=imported_by
        )
        with connection.cursor() as cursor:
            _write(cursor, network.pk, lines, noded)
            _components(cursor, network.pk)
            # Fresh statistics: without them the planner skips the GiST index when snapping
            # points to the new edges (233 village centres: 8 s instead of 0.12 s).
            cursor.execute("ANALYZE roads_roadedge, roads_roadnode")
        recompute_costs(network=network)
        network.report = {
            **(report or {}),
            "lines": len(lines),
            "snap_tolerance_m": snap_tolerance_m,
            "noding": noded.counts,
            "unjoined_crossings": [
                [round(float(x), 6), round(float(y), 6)]
                for x, y in noded.unjoined[:LISTED_CROSSINGS]
            ],
        }
        _count(network)
        network.report["build_seconds"] = round(time.perf_counter() - started, 2)
        network.save(update_fields=["report"])
        if activate:
            activate_network(network)
    say(_("Written in %(s).1f s.") % {"s": time.perf_counter() - noded_at})
    return network


def activate_network(network: RoadNetwork) -> None:
    """Make ``network`` the one routing uses; the other versions go."""
    with transaction.atomic():
        RoadNetwork.objects.exclude(pk=network.pk).delete()
        network.active = True
        network.save(update_fields=["active"])


def recompute_costs(
    *, network: RoadNetwork | None = None, road_classes: Iterable[str] | None = None
) -> int:
    """Travel seconds of every edge (of ``network``, or of all; of ``road_classes``, or of every
    class) from the speed table; -1 where a mode may not use the road class. A class and mode
    with no row in the table travel at the default speed (roads/choices.py): the table holds what
    the county changed. The networks' ``costs_version`` is raised (what routing keeps is keyed by
    it) and their ``fastest_kmh`` recomputed. Returns the number of edges updated."""
    speeds = {
        (road_class, mode): kmh
        for road_class, by_mode in DEFAULT_SPEEDS_KMH.items()
        for mode, kmh in by_mode.items()
    }
    speeds.update(((row.road_class, row.mode), row.kmh) for row in RoadSpeed.objects.all())
    sets, case_params = [], []
    for mode, column in COST_COLUMN.items():
        whens = []
        for (road_class, speed_mode), kmh in speeds.items():
            if speed_mode == mode and kmh:
                whens.append("WHEN %s THEN e.length_m / %s")
                case_params += [road_class, kmh / 3.6]
        cases = " ".join(whens) if whens else "WHEN NULL THEN -1"
        sets.append(f"{column} = CASE e.road_class {cases} ELSE -1 END")
    conditions, params = [], []
    if network is not None:
        conditions.append("e.network_id = %s")
        params.append(network.pk)
    if road_classes is not None:
        conditions.append("e.road_class = ANY(%s)")
        params.append(list(road_classes))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE roads_roadedge e SET {', '.join(sets)} {where}", [*case_params, *params]
        )
        updated = cursor.rowcount
        cursor.execute(
            "UPDATE roads_roadnetwork n SET costs_version = n.costs_version + 1, "
            f"fastest_kmh = ({_FASTEST_SQL}) "
            "WHERE %s::bigint IS NULL OR n.id = %s::bigint",
            [getattr(network, "pk", None)] * 2,
        )
    if network is not None:
        network.refresh_from_db(fields=["costs_version", "fastest_kmh"])
    return updated


# The fastest speed (km/h) of each mode on any edge of network ``n``, from its travel times.
_FASTEST_SQL = (
    "SELECT jsonb_strip_nulls(jsonb_build_object({})) FROM roads_roadedge e "
    "WHERE e.network_id = n.id".format(
        ", ".join(
            f"'{mode}', max(e.length_m / e.{column} * 3.6) FILTER (WHERE e.{column} > 0)"
            for mode, column in COST_COLUMN.items()
        )
    )
)


def _write(cursor, network_id: int, lines: list[RoadLine], noded) -> None:
    """Nodes and edges by COPY: node ids drawn from the sequence first, so edges name them."""
    count = len(noded.nodes)
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('roads_roadnode', 'id')) "
        "FROM generate_series(1, %s)",
        [count],
    )
    ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
    points = shapely.set_srid(shapely.points(noded.nodes), 4326) if count else []
    raw = cursor.cursor  # psycopg's own cursor: COPY
    with raw.copy("COPY roads_roadnode (id, network_id, geom) FROM STDIN") as copy:
        for node_id, wkb in zip(
            ids.tolist(), shapely.to_wkb(points, hex=True, include_srid=True), strict=True
        ):
            copy.write_row((node_id, network_id, wkb))
    cursor.execute(
        """CREATE TEMP TABLE road_pieces (
            n serial, source bigint, target bigint, road_class text, name text, oneway boolean,
            geom geometry(LineString, 4326)) ON COMMIT DROP"""
    )
    geoms = shapely.to_wkb(
        shapely.set_srid(np.asarray(noded.pieces, dtype=object), 4326),
        hex=True,
        include_srid=True,
    )
    with raw.copy(
        "COPY road_pieces (source, target, road_class, name, oneway, geom) FROM STDIN"
    ) as copy:
        for origin, source, target, wkb in zip(
            noded.origin.tolist(),
            ids[noded.source].tolist(),
            ids[noded.target].tolist(),
            geoms,
            strict=True,
        ):
            line = lines[origin]
            copy.write_row((source, target, line.road_class, line.name, line.oneway, wkb))
    cursor.execute(
        """
        INSERT INTO roads_roadedge
            (network_id, source_id, target_id, road_class, name, oneway, length_m, geom,
             walk_s, bike_s, car_s)
        SELECT %s, source, target, road_class, name, oneway, ST_Length(geom::geography), geom,
               -1, -1, -1
        FROM road_pieces ORDER BY n
        """,
        [network_id],
    )
    cursor.execute("DROP TABLE road_pieces")


def _components(cursor, network_id: int) -> None:
    # Components over the undirected graph: a unit and a matter in different ones cannot meet.
    cursor.execute(
        """
        UPDATE roads_roadnode n SET component = c.component
        FROM pgr_connectedComponents(
            'SELECT id, source_id AS source, target_id AS target, 1 AS cost, 1 AS reverse_cost
             FROM roads_roadedge WHERE network_id = ' || %(network)s::text
        ) c
        WHERE n.id = c.node AND n.network_id = %(network)s
        """,
        {"network": network_id},
    )


def _count(network: RoadNetwork) -> None:
    """Counts, length per class and the connected components into the network and its report."""
    network.edge_count = network.edges.count()
    network.node_count = network.nodes.count()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT road_class, count(*), sum(length_m) FROM roads_roadedge
               WHERE network_id = %s GROUP BY road_class""",
            [network.pk],
        )
        by_class = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
        # One row per component, largest (by length) first, with a point on one of its roads.
        cursor.execute(
            """
            SELECT n.component, count(*), sum(e.length_m),
                   ST_X(ST_PointOnSurface(ST_Collect(e.geom))),
                   ST_Y(ST_PointOnSurface(ST_Collect(e.geom)))
            FROM roads_roadedge e JOIN roads_roadnode n ON n.id = e.source_id
            WHERE e.network_id = %s
            GROUP BY n.component ORDER BY sum(e.length_m) DESC, n.component
            """,
            [network.pk],
        )
        components = cursor.fetchall()
    network.component_count = len(components)
    total_m = sum(row[2] for row in components) or 0.0
    small = [
        {"edges": edges, "km": round(length / 1000, 3), "lon": round(x, 6), "lat": round(y, 6)}
        for _component, edges, length, x, y in components[1:]
    ]
    network.report["km"] = round(total_m / 1000, 3)
    network.report["classes"] = {
        road_class: {
            "edges": by_class[road_class][0],
            "km": round(by_class[road_class][1] / 1000, 3),
        }
        for road_class in RoadClass.values
        if road_class in by_class
    }
    network.report["components"] = {
        "count": len(components),
        "largest_share_of_length": round(components[0][2] / total_m, 4) if total_m else 0.0,
        "small": small[:LISTED_COMPONENTS],
        "small_not_listed": max(0, len(small) - LISTED_COMPONENTS),
    }
    network.save(update_fields=["edge_count", "node_count", "component_count", "report"])
