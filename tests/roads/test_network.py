"""A network built from lines: nodes where they meet, travel seconds per mode, one version."""

from __future__ import annotations

import pytest
from django.db import connection

from roads.models import RoadEdge, RoadNetwork, RoadSpeed
from roads.queries import active_network, edges_sql
from roads.services import recompute_costs

pytestmark = pytest.mark.django_db

# Three roads meeting at (104.61, 35.00): west (a county road), east (one-way eastwards, a
# village road) and north (an expressway).
JUNCTION = (104.61, 35.00)
ROADS = (
    (((104.60, 35.00), JUNCTION), "county"),
    ((JUNCTION, (104.62, 35.00)), "village", True),
    ((JUNCTION, (104.61, 35.01)), "expressway"),
)


def cost(network_id: int, mode: str, start, end) -> float | None:
    """pgRouting's travel seconds between two nodes given by their points."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT agg_cost FROM pgr_dijkstraCost(%s,
                   (SELECT id FROM roads_roadnode WHERE network_id = %s
                    ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 1),
                   (SELECT id FROM roads_roadnode WHERE network_id = %s
                    ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 1))""",
            [edges_sql(network_id, mode), network_id, *start, network_id, *end],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_lines_meeting_at_a_point_share_one_node(road_network):
    network = road_network(*ROADS)
    assert (network.node_count, network.edge_count, network.component_count) == (4, 3, 1)
    assert active_network() == network


def test_travel_seconds_follow_the_speed_table(road_network):
    network = road_network(*ROADS)
    west = RoadEdge.objects.get(network=network, road_class="county")
    # 0.01° of longitude at 35°N is ~912 m; a car at 40 km/h, a walker at 4.5 km/h.
    assert west.length_m == pytest.approx(912.4, abs=1.0)
    assert west.car_s == pytest.approx(west.length_m / (40 / 3.6))
    assert west.walk_s == pytest.approx(west.length_m / (4.5 / 3.6))
    expressway = RoadEdge.objects.get(network=network, road_class="expressway")
    assert expressway.walk_s == -1  # nobody walks on an expressway


def test_one_way_roads_bind_vehicles_not_walkers(road_network):
    network = road_network(*ROADS)
    east_end, west_end = (104.62, 35.00), (104.60, 35.00)
    assert cost(network.pk, "car", west_end, east_end) > 0
    assert cost(network.pk, "car", east_end, west_end) is None  # against the one-way
    assert cost(network.pk, "walk", east_end, west_end) > 0


def test_a_changed_speed_changes_the_travel_times(road_network):
    network = road_network(*ROADS)
    RoadSpeed.objects.filter(road_class="county", mode="car").update(kmh=80)
    recompute_costs(network=network)
    west = RoadEdge.objects.get(network=network, road_class="county")
    assert west.car_s == pytest.approx(west.length_m / (80 / 3.6))


def test_a_new_version_replaces_the_one_in_use(road_network):
    first = road_network(*ROADS, name="v1")
    second = road_network(*ROADS[:1], name="v2")
    assert list(RoadNetwork.objects.all()) == [second]
    assert not RoadEdge.objects.filter(network_id=first.pk).exists()


def test_a_class_without_a_row_in_the_speed_table_travels_at_the_default_speed(road_network):
    # A transactional test's flush (or a county that deleted a row) leaves no row: the demo's
    # roads were built with every edge closed to cars, and nothing was reachable.
    RoadSpeed.objects.filter(road_class="county").delete()
    network = road_network(*ROADS)
    west = RoadEdge.objects.get(network=network, road_class="county")
    assert west.car_s == pytest.approx(west.length_m / (40 / 3.6))
