"""Read paths of the road network: the version in use and the edges SQL pgRouting reads."""

from __future__ import annotations

from roads.choices import COST_COLUMN, TravelMode
from roads.models import RoadNetwork

# Whether a network is loaded, as an SQL expression for a statement that reads it with other
# things (the matter's lock in volunteers.services.assign): one round trip and one ORM query
# fewer on the dispatch hot path than ``active_network() is not None``.
HAS_ACTIVE_NETWORK_SQL = "EXISTS (SELECT 1 FROM roads_roadnetwork WHERE active)"


def active_network() -> RoadNetwork | None:
    """The network routing uses, or None where no roads are loaded (straight-line ETAs)."""
    return RoadNetwork.objects.active()


def edges_sql(
    network_id: int, mode: str, bbox: tuple[float, float, float, float] | None = None
) -> str:
    """The edges query for pgRouting's functions: id, source, target, cost and reverse_cost in
    seconds for ``mode`` (-1: no way). Pedestrians walk one-way streets both ways. With ``bbox``
    (min lon, min lat, max lon, max lat) only the edges meeting it, so a query reads a
    neighbourhood and not the county. The text is built from integers, a mode from the fixed
    list and floats, never from a user's string.
    """
    column = COST_COLUMN[TravelMode(mode)]
    reverse = column if mode == TravelMode.WALK else f"CASE WHEN oneway THEN -1 ELSE {column} END"
    sql = (
        f"SELECT id, source_id AS source, target_id AS target, {column} AS cost, "
        f"{reverse} AS reverse_cost FROM roads_roadedge WHERE network_id = {int(network_id)}"
    )
    if bbox is not None:
        west, south, east, north = (float(value) for value in bbox)
        sql += f" AND geom && ST_MakeEnvelope({west!r}, {south!r}, {east!r}, {north!r}, 4326)"
    return sql
