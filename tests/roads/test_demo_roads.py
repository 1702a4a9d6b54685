"""The demo county's synthetic roads: marked synthetic, deterministic, every village reachable."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from gridmap.choices import AreaLevel
from gridmap.demo.county import SEAT_TOWNSHIP
from gridmap.models import Area
from roads.demo.load import demo_places
from roads.demo.network import generate_roads
from roads.models import RoadEdge, RoadNetwork
from roads.queries import edges_sql
from tests.demo_county import demo_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_roads(django_db_setup, django_db_blocker):
    """The demo county and its roads, loaded once for the module, rolled back after."""
    # Module fixtures run outside the per-test English override.
    with translation.override("en"), demo_loaded(django_db_blocker, "load_demo_roads") as outputs:
        yield outputs["load_demo_roads"]


def node_at(network: RoadNetwork, lon: float, lat: float) -> tuple[int, float]:
    """The node nearest a point and its distance in metres."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT id, ST_Distance(geom::geography,
                                      ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography)
               FROM roads_roadnode WHERE network_id = %s
               ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 1""",
            [lon, lat, network.pk, lon, lat],
        )
        return cursor.fetchone()


def test_every_village_centre_is_reachable_by_car_from_the_county_seat():
    network = RoadNetwork.objects.active()
    seats, villages = demo_places()
    seat_node, _ = node_at(network, seats[SEAT_TOWNSHIP].lon, seats[SEAT_TOWNSHIP].lat)
    targets = {}
    for place in [*seats.values(), *(v for rows in villages.values() for v in rows)]:
        node, distance = node_at(network, place.lon, place.lat)
        assert distance < 0.05, place.name  # a road ends at every centre
        targets[place.code] = node
    assert (
        len(targets)
        == Area.objects.current().filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]).count()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT end_vid, agg_cost FROM pgr_dijkstraCost(%s, %s, %s::bigint[])",
            [edges_sql(network.pk, "car"), seat_node, sorted(set(targets.values()) - {seat_node})],
        )
        minutes = {node: cost / 60 for node, cost in cursor.fetchall()}
    unreachable = [
        code for code, node in targets.items() if node != seat_node and node not in minutes
    ]
    assert unreachable == []
    # Plausible drives: no village more than two hours from the seat.
    assert max(minutes.values()) < 120


def test_the_demo_network_is_marked_synthetic_and_connected(demo_roads):
    network = RoadNetwork.objects.active()
    assert network.synthetic
    assert network.component_count == 1
    assert not RoadEdge.objects.filter(network=network).exclude(name__contains="示意").exists()
    classes = set(RoadEdge.objects.filter(network=network).values_list("road_class", flat=True))
    assert classes == {
        "expressway",
        "national",
        "provincial",
        "county",
        "township",
        "village",
        "street",
    }
    assert "Demo road network loaded" in demo_roads


def test_the_expressway_meets_other_roads_only_at_interchanges():
    network = RoadNetwork.objects.active()
    assert network.report["noding"]["crossings_not_joined"] > 0
    # The expressway's nodes other classes reach are its interchanges: a few, not every crossing.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(DISTINCT n) FROM (
                   SELECT unnest(ARRAY[source_id, target_id]) AS n FROM roads_roadedge
                   WHERE network_id = %(n)s AND road_class = 'expressway') x
               WHERE EXISTS (SELECT 1 FROM roads_roadedge e WHERE e.network_id = %(n)s
                   AND e.road_class <> 'expressway' AND x.n IN (e.source_id, e.target_id))""",
            {"n": network.pk},
        )
        assert 2 <= cursor.fetchone()[0] <= 4


def test_the_roads_are_curved_not_straight_lines():
    seats, villages = demo_places()
    roads = generate_roads(seats, villages, SEAT_TOWNSHIP)
    village = [road.coords for road in roads if road.road_class == "village"]
    # Length along the road against the straight line between its ends (degrees suffice here).
    along = np.array([np.hypot(*np.diff(c, axis=0).T).sum() for c in village])
    straight = np.array([np.hypot(*(c[-1] - c[0])) for c in village])
    assert 1.01 < np.median(along / straight) < 1.3


def test_generation_is_deterministic():
    seats, villages = demo_places()
    first = generate_roads(seats, villages, SEAT_TOWNSHIP)
    second = generate_roads(seats, villages, SEAT_TOWNSHIP)
    assert [r.name for r in first] == [r.name for r in second]
    assert all(np.array_equal(a.coords, b.coords) for a, b in zip(first, second, strict=True))


def test_a_second_run_keeps_the_network_and_an_imported_one_is_not_replaced():
    network = RoadNetwork.objects.active()
    output = io.StringIO()
    call_command("load_demo_roads", stdout=output)
    assert "already loaded" in output.getvalue()
    assert RoadNetwork.objects.active() == network
    RoadNetwork.objects.filter(pk=network.pk).update(synthetic=False)
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo_roads", stdout=io.StringIO())
