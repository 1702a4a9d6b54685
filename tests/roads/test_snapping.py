"""Places on the network kept between rankings (roads/snapping.py): a second ranking of the same
places snaps nothing again, a unit that moved is placed where it is now, a speed change is seen
at once; units sharing the matter's edge; the network's fastest speeds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roads.choices import OFF_ROAD_SPEED_KMH, TravelMode
from roads.models import RoadSpeed
from roads.queries import active_network
from roads.services import recompute_costs
from roads.travel import EtaSource, Fallback, Traveller, travel_times
from tests.roads.test_travel import MATTER, RIVER, metres, seconds

pytestmark = pytest.mark.django_db

# The river of test_travel.py with a lane south of the south road: five edges, more than the
# four KNN candidates a point looks at, so what a point found anywhere can be kept.
LANE = (((104.605, 34.990), (104.655, 34.990)), "village")
LANE_LINKS = (
    (((104.605, 34.990), (104.605, 34.998)), "village"),
    (((104.655, 34.990), (104.655, 34.998)), "village"),
)


def snapping_statements(queries: CaptureQueriesContext) -> int:
    return sum("ST_LineLocatePoint" in query["sql"] for query in queries.captured_queries)


def leg() -> float:
    return seconds(metres(MATTER, (104.61, 34.998)), OFF_ROAD_SPEED_KMH)


def test_a_second_ranking_of_the_same_places_snaps_nothing_again(road_network):
    road_network(*RIVER, LANE, *LANE_LINKS)
    units = [Traveller(1, 104.625, 34.998, "bike"), Traveller(2, 104.64, 34.9915, "car")]

    with CaptureQueriesContext(connection) as first:
        before = travel_times(MATTER, units)
    with CaptureQueriesContext(connection) as second:
        after = travel_times(MATTER, units)

    assert snapping_statements(first) == 1
    assert snapping_statements(second) == 0
    assert after == before
    assert {eta.source for eta in after.values()} == {EtaSource.ROAD}


def test_a_unit_that_moved_is_placed_where_it_is_now(road_network):
    road_network(*RIVER, LANE, *LANE_LINKS)
    travel_times(MATTER, [Traveller(1, 104.625, 34.998, "bike")])  # kept at its old place

    moved = travel_times(MATTER, [Traveller(1, 104.64, 34.998, "bike")])[1]

    ride = seconds(metres((104.64, 34.998), (104.61, 34.998)), 12.0)  # village road by e-bike
    assert moved.seconds == pytest.approx(ride + leg(), abs=0.5)


def test_a_speed_change_is_seen_by_the_next_ranking(road_network):
    road_network(*RIVER, LANE, *LANE_LINKS)
    car = Traveller(3, 104.625, 34.998, "car")
    assert travel_times(MATTER, [car])[3].source == EtaSource.ROAD

    # No cars on village roads any more: the only road a car may use is the bridge, 4.6 km east,
    # outside the box around the matter.
    RoadSpeed.objects.filter(road_class="village", mode=TravelMode.CAR).update(kmh=None)
    recompute_costs(network=active_network())

    assert travel_times(MATTER, [car])[3].fallback == Fallback.NO_ROAD


def test_units_sharing_the_matters_edge_ride_only_their_stretches(road_network):
    road_network(*RIVER)
    near = Traveller(4, 104.62, 34.998, "car")
    far = Traveller(5, 104.63, 34.998, "car")

    etas = travel_times(MATTER, [far, near])

    for unit in (near, far):
        ride = seconds(metres((unit.lon, unit.lat), (104.61, 34.998)), 20.0)  # village road by car
        assert etas[unit.key].seconds == pytest.approx(ride + leg(), abs=0.5)


def test_the_network_knows_the_fastest_speed_of_each_mode(road_network):
    network = road_network(*RIVER)  # village and county roads

    assert network.fastest_kmh == pytest.approx({"walk": 4.5, "bike": 16.0, "car": 40.0})

    RoadSpeed.objects.filter(road_class="village", mode=TravelMode.CAR).update(kmh=45.0)
    version = network.costs_version
    recompute_costs(network=network)

    assert network.fastest_kmh["car"] == pytest.approx(45.0)
    assert network.costs_version == version + 1
