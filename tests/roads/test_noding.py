"""Noding: roads at grade join where they cross or nearly meet; expressways at shared vertices."""

from __future__ import annotations

import pytest

from roads.models import RoadEdge
from tests.roads.test_network import cost

pytestmark = pytest.mark.django_db

WEST, EAST = (104.60, 35.00), (104.62, 35.00)
SOUTH, NORTH = (104.61, 34.99), (104.61, 35.01)


def test_crossing_village_roads_are_joined_where_they_cross(road_network):
    network = road_network(((WEST, EAST), "village"), ((SOUTH, NORTH), "village"))
    # Each road is cut at the crossing: four edges meeting at one node, one component.
    assert (network.edge_count, network.node_count, network.component_count) == (4, 5, 1)
    assert cost(network.pk, "car", WEST, NORTH) > 0
    lengths = sorted(RoadEdge.objects.filter(network=network).values_list("length_m", flat=True))
    assert lengths == pytest.approx([912.4, 912.4, 1109.4, 1109.4], abs=1.0)


def test_an_expressway_crossing_without_a_shared_vertex_is_a_bridge(road_network):
    network = road_network(((WEST, EAST), "expressway"), ((SOUTH, NORTH), "village"))
    assert (network.edge_count, network.component_count) == (2, 2)
    assert cost(network.pk, "car", WEST, NORTH) is None
    assert network.report["noding"]["crossings_not_joined"] == 1
    assert network.report["unjoined_crossings"] == [[104.61, 35.0]]


def test_an_expressway_joins_a_road_at_a_shared_vertex(road_network):
    # The interchange: both lines have a vertex at the crossing point.
    network = road_network(
        ((WEST, (104.61, 35.00), EAST), "expressway"), ((SOUTH, (104.61, 35.00), NORTH), "county")
    )
    assert (network.edge_count, network.component_count) == (4, 1)
    assert cost(network.pk, "car", WEST, NORTH) > 0


def test_a_road_ending_half_a_metre_short_of_another_is_joined_to_it(road_network):
    # 0.5 m south of the west–east road (1° of latitude is ~110.9 km).
    short = (104.61, 35.00 - 0.5 / 110_900)
    network = road_network(((WEST, EAST), "township"), ((SOUTH, short), "village"))
    assert (network.edge_count, network.component_count) == (3, 1)
    assert network.report["noding"]["t_junctions_snapped"] == 1
    assert cost(network.pk, "car", SOUTH, EAST) > 0


def test_a_road_ending_five_metres_short_stays_a_dead_end(road_network):
    short = (104.61, 35.00 - 5 / 110_900)
    network = road_network(((WEST, EAST), "township"), ((SOUTH, short), "village"))
    assert network.component_count == 2
    assert network.report["components"]["count"] == 2
    small = network.report["components"]["small"]
    assert [component["edges"] for component in small] == [1]
    assert small[0]["lon"] == pytest.approx(104.61)
    assert 34.99 <= small[0]["lat"] <= 35.0


def test_the_report_gives_length_per_class_and_the_largest_share(road_network):
    network = road_network(((WEST, EAST), "county"), (((104.70, 35.0), (104.71, 35.0)), "village"))
    report = network.report
    assert report["classes"]["county"]["km"] == pytest.approx(1.825, abs=0.01)
    assert report["classes"]["village"]["km"] == pytest.approx(0.912, abs=0.01)
    assert report["components"]["largest_share_of_length"] == pytest.approx(2 / 3, abs=0.01)


def test_a_road_crossing_itself_is_joined_at_the_crossing(road_network):
    # A hairpin that loops back over itself: east, north, west, then south through its own start.
    loop = ((104.60, 35.00), (104.62, 35.00), (104.62, 35.01), (104.61, 35.01), (104.61, 34.99))
    network = road_network((loop, "village", True))
    # Cut at the crossing (104.61, 35.00): in, round the loop, out.
    assert (network.edge_count, network.node_count) == (3, 3)
    assert cost(network.pk, "car", (104.60, 35.00), (104.61, 34.99)) > 0
