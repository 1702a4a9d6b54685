"""Write paths of the road network: build a version from lines, recompute travel times.

The first cut (the lead's skeleton for issue 15): ``build_network`` takes lines that already meet
at shared end points (hand-built test networks, the synthetic demo roads); the importer adds
noding of crossing roads, validation and the report of disconnected components.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import LineString
from django.db import connection, transaction

from roads.choices import COST_COLUMN, RoadClass
from roads.models import RoadNetwork

# End points closer than this (degrees, ~1 cm) are one node.
NODE_TOLERANCE_DEG = 1e-7


@dataclass(frozen=True)
class RoadLine:
    """One road as read from a source: a WGS84 line and what travel on it depends on."""

    geom: LineString
    road_class: str = RoadClass.VILLAGE
    name: str = ""
    oneway: bool = False  # vehicles only in the line's direction


def build_network(
    *,
    name: str,
    lines: Iterable[RoadLine],
    source: str = "",
    synthetic: bool = False,
    imported_by: str = "",
    activate: bool = True,
) -> RoadNetwork:
    """A new network version from ``lines``, in one transaction; with ``activate`` it replaces
    the one in use (the old versions are deleted with their nodes and edges)."""
    with transaction.atomic():
        network = RoadNetwork.objects.create(
            name=name, source=source, synthetic=synthetic, imported_by=imported_by
        )
        with connection.cursor() as cursor:
            _load_lines(cursor, network.pk, lines)
            _build_topology(cursor, network.pk)
        recompute_costs(network=network)
        _count(network)
        if activate:
            activate_network(network)
    return network


def activate_network(network: RoadNetwork) -> None:
    """Make ``network`` the one routing uses; the other versions go."""
    with transaction.atomic():
        RoadNetwork.objects.exclude(pk=network.pk).delete()
        network.active = True
        network.save(update_fields=["active"])


def recompute_costs(*, network: RoadNetwork | None = None) -> int:
    """Travel seconds of every edge (of ``network``, or of all) from the speed table; -1 where a
    mode may not use the road class. Returns the number of edges updated."""
    sets = ",\n".join(
        f"""{column} = COALESCE((SELECT e.length_m / (s.kmh / 3.6) FROM roads_roadspeed s
            WHERE s.road_class = e.road_class AND s.mode = '{mode}' AND s.kmh > 0), -1)"""
        for mode, column in COST_COLUMN.items()
    )
    where = "WHERE e.network_id = %s" if network is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE roads_roadedge e SET {sets} {where}",
            [network.pk] if network is not None else [],
        )
        return cursor.rowcount


def _load_lines(cursor, network_id: int, lines: Iterable[RoadLine]) -> None:
    cursor.execute(
        """CREATE TEMP TABLE road_lines (
            n serial, road_class text, name text, oneway boolean, geom geometry(LineString, 4326)
        ) ON COMMIT DROP"""
    )
    rows = [(line.road_class, line.name, line.oneway, line.geom.ewkb) for line in lines]
    cursor.executemany(
        "INSERT INTO road_lines (road_class, name, oneway, geom) "
        "VALUES (%s, %s, %s, ST_SetSRID(%s::geometry, 4326))",
        rows,
    )


def _build_topology(cursor, network_id: int) -> None:
    # Nodes: the distinct end points; edges: each line between its end points' nodes.
    cursor.execute(
        """
        INSERT INTO roads_roadnode (network_id, geom)
        SELECT DISTINCT %(network)s, ST_SnapToGrid(p, %(tolerance)s)
        FROM (SELECT ST_StartPoint(geom) AS p FROM road_lines
              UNION ALL SELECT ST_EndPoint(geom) FROM road_lines) ends
        """,
        {"network": network_id, "tolerance": NODE_TOLERANCE_DEG},
    )
    cursor.execute(
        """
        INSERT INTO roads_roadedge
            (network_id, source_id, target_id, road_class, name, oneway, length_m, geom,
             walk_s, bike_s, car_s)
        SELECT %(network)s, s.id, t.id, l.road_class, l.name, l.oneway,
               ST_Length(l.geom::geography), l.geom, -1, -1, -1
        FROM road_lines l
        JOIN roads_roadnode s ON s.network_id = %(network)s
             AND s.geom = ST_SnapToGrid(ST_StartPoint(l.geom), %(tolerance)s)
        JOIN roads_roadnode t ON t.network_id = %(network)s
             AND t.geom = ST_SnapToGrid(ST_EndPoint(l.geom), %(tolerance)s)
        ORDER BY l.n
        """,
        {"network": network_id, "tolerance": NODE_TOLERANCE_DEG},
    )
    cursor.execute("DROP TABLE road_lines")
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
    network.edge_count = network.edges.count()
    network.node_count = network.nodes.count()
    network.component_count = (
        network.nodes.exclude(component=None).values("component").distinct().count()
    )
    network.save(update_fields=["edge_count", "node_count", "component_count"])
