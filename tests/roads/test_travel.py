"""Travel times on the road network: the river with one bridge far away, one-way streets, the
off-road legs, and the straight line where there is no road, each ETA against a hand computation
from the speed table and lengths measured by PostGIS on the geography."""

from __future__ import annotations

import pytest
from django.db import connection

from roads.choices import DEFAULT_SPEEDS_KMH, OFF_ROAD_SPEED_KMH, STRAIGHT_LINE_SPEED_KMH
from roads.routes import route
from roads.travel import (
    EtaSource,
    Fallback,
    Traveller,
    best_travel_times,
    travel_times,
)

pytestmark = pytest.mark.django_db


# A river runs east-west at 35.000. The south bank road (lat 34.998) and the north bank road
# (lat 35.002) are village roads from 104.60 to 104.66; the only bridge, a county road, crosses
# at 104.66 — about 4.6 km east of the matter.
SOUTH_ROAD = (((104.60, 34.998), (104.66, 34.998)), "village")
NORTH_ROAD = (((104.60, 35.002), (104.66, 35.002)), "village")
BRIDGE = (((104.66, 34.998), (104.66, 35.002)), "county")
RIVER = (SOUTH_ROAD, NORTH_ROAD, BRIDGE)

MATTER = (104.61, 34.9975)  # ~56 m south of the south bank road
ACROSS = Traveller(1, 104.61, 35.0025, "bike")  # ~556 m away, across the river
ALONG = Traveller(2, 104.625, 34.998, "bike")  # ~1.4 km away, on the matter's own road


def metres(*points) -> float:
    """Length of the line through ``points`` on the geography (ST_Length)."""
    wkt = ", ".join(f"{lon!r} {lat!r}" for lon, lat in points)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Length(ST_GeogFromText(%s))", [f"LINESTRING({wkt})"])
        return cursor.fetchone()[0]


def seconds(length_m: float, kmh: float) -> float:
    return length_m / (kmh / 3.6)


def bike(road_class: str) -> float:
    return DEFAULT_SPEEDS_KMH[road_class]["bike"]


def test_the_unit_across_the_river_is_nearer_in_a_straight_line_but_later_by_road(road_network):
    road_network(*RIVER)

    etas = travel_times(MATTER, [ACROSS, ALONG])

    assert etas[ACROSS.key].distance_m < etas[ALONG.key].distance_m  # nearer as the crow flies
    assert etas[ALONG.key].seconds < etas[ACROSS.key].seconds  # sooner there by road
    assert {eta.source for eta in etas.values()} == {EtaSource.ROAD}


def test_the_eta_by_road_equals_the_hand_computed_time(road_network):
    road_network(*RIVER)
    walk = OFF_ROAD_SPEED_KMH
    matter_leg = metres(MATTER, (104.61, 34.998))  # off the road, on foot
    # ALONG is on the south road: it rides 104.625 → 104.61 and walks the last ~56 m.
    along = seconds(metres((104.625, 34.998), (104.61, 34.998)), bike("village")) + seconds(
        matter_leg, walk
    )
    # ACROSS walks to the north road, rides east to the bridge, crosses, rides back west.
    across = (
        seconds(metres((104.61, 35.0025), (104.61, 35.002)), walk)
        + seconds(metres((104.61, 35.002), (104.66, 35.002)), bike("village"))
        + seconds(metres((104.66, 35.002), (104.66, 34.998)), bike("county"))
        + seconds(metres((104.66, 34.998), (104.61, 34.998)), bike("village"))
        + seconds(matter_leg, walk)
    )

    etas = travel_times(MATTER, [ACROSS, ALONG])

    assert etas[ALONG.key].seconds == pytest.approx(along, abs=0.5)
    assert etas[ACROSS.key].seconds == pytest.approx(across, abs=0.5)
    assert etas[ALONG.key].off_road_m == pytest.approx(matter_leg, abs=0.01)
    assert etas[ACROSS.key].minutes == pytest.approx(across / 60, abs=0.01)


def test_each_mode_rides_at_its_own_speeds(road_network):
    road_network(*RIVER)
    car = Traveller(3, ALONG.lon, ALONG.lat, "car")
    walker = Traveller(4, ALONG.lon, ALONG.lat, "walk")
    ride = metres((104.625, 34.998), (104.61, 34.998))
    leg = seconds(metres(MATTER, (104.61, 34.998)), OFF_ROAD_SPEED_KMH)

    etas = travel_times(MATTER, [car, walker])

    assert etas[3].seconds == pytest.approx(seconds(ride, 20.0) + leg, abs=0.5)  # village road
    assert etas[4].seconds == pytest.approx(seconds(ride, 4.5) + leg, abs=0.5)


def test_a_car_drives_to_the_matter_with_the_one_way_traffic(road_network):
    # The south road is one-way eastwards: a car east of the matter must go round by the north
    # road and the bridge; a walker does not care.
    one_way_south = (SOUTH_ROAD[0], "village", True)
    west_link = (((104.60, 34.998), (104.60, 35.002)), "village")
    road_network(one_way_south, NORTH_ROAD, BRIDGE, west_link)
    car = Traveller(5, 104.625, 34.998, "car")
    walker = Traveller(6, 104.625, 34.998, "walk")
    leg = seconds(metres(MATTER, (104.61, 34.998)), OFF_ROAD_SPEED_KMH)
    # East to the bridge, over it, west along the north road, down the west link, east to 104.61.
    round_trip = (
        seconds(metres((104.625, 34.998), (104.66, 34.998)), 20.0)
        + seconds(metres((104.66, 34.998), (104.66, 35.002)), 40.0)
        + seconds(metres((104.66, 35.002), (104.60, 35.002)), 20.0)
        + seconds(metres((104.60, 35.002), (104.60, 34.998)), 20.0)
        + seconds(metres((104.60, 34.998), (104.61, 34.998)), 20.0)
    )

    etas = travel_times(MATTER, [car, walker])

    assert etas[5].seconds == pytest.approx(round_trip + leg, abs=0.5)
    walk_direct = seconds(metres((104.625, 34.998), (104.61, 34.998)), 4.5) + leg
    assert etas[6].seconds == pytest.approx(walk_direct, abs=0.5)


def test_without_roads_the_eta_is_the_straight_line_labelled_so():
    etas = travel_times(MATTER, [ACROSS])

    eta = etas[ACROSS.key]
    assert eta.source == EtaSource.STRAIGHT_LINE
    assert eta.fallback == Fallback.NO_NETWORK
    assert eta.distance_m == pytest.approx(metres(MATTER, (ACROSS.lon, ACROSS.lat)), abs=0.01)
    assert eta.seconds == pytest.approx(seconds(eta.distance_m, STRAIGHT_LINE_SPEED_KMH["bike"]))


def test_a_unit_on_roads_not_connected_to_the_matters_gets_the_straight_line(road_network):
    island = (((104.70, 35.05), (104.71, 35.05)), "village")
    road_network(*RIVER, island)
    stranded = Traveller(7, 104.705, 35.0505, "bike")

    etas = travel_times(MATTER, [stranded, ALONG])

    assert etas[7].source == EtaSource.STRAIGHT_LINE
    assert etas[7].fallback == Fallback.NOT_CONNECTED
    assert etas[ALONG.key].source == EtaSource.ROAD


def test_a_mode_with_no_road_of_its_own_nearby_gets_the_straight_line(road_network):
    # Only an expressway: nobody may walk on it.
    road_network((((104.60, 34.998), (104.66, 34.998)), "expressway"))
    walker = Traveller(8, 104.625, 34.998, "walk")

    assert travel_times(MATTER, [walker])[8].fallback == Fallback.NO_ROAD


def test_the_bridge_beyond_the_first_box_is_found_in_the_wider_one(road_network):
    # The bridge is 5 km east: outside the first box (1.5 km margin), inside the wider one (6 km).
    far = 104.61 + 5_000 / 91_200
    south = (((104.60, 34.998), (far, 34.998)), "village")
    north = (((104.60, 35.002), (far, 35.002)), "village")
    bridge = (((far, 34.998), (far, 35.002)), "county")
    road_network(south, north, bridge)

    eta = travel_times(MATTER, [ACROSS])[ACROSS.key]

    assert eta.source == EtaSource.ROAD
    assert eta.seconds > seconds(2 * 5_000, bike("village"))  # there and back along the river


def test_the_route_runs_from_the_unit_over_the_bridge_to_the_matter(road_network):
    road_network(*RIVER)

    found = route(MATTER, ACROSS)

    line = found.coordinates
    assert line[0] == (ACROSS.lon, ACROSS.lat)
    assert line[-1] == MATTER
    assert (104.66, 35.002) in line  # the north end of the bridge
    assert (104.66, 34.998) in line  # its south end
    assert found.eta.source == EtaSource.ROAD
    assert found.eta.seconds == pytest.approx(
        travel_times(MATTER, [ACROSS])[ACROSS.key].seconds, abs=0.01
    )
    assert found.road_m == pytest.approx(
        metres((104.61, 35.002), (104.66, 35.002), (104.66, 34.998), (104.61, 34.998)), rel=1e-4
    )


def test_the_route_on_the_matters_own_road_is_the_stretch_between_them(road_network):
    road_network(*RIVER)

    found = route(MATTER, ALONG)

    assert found.coordinates == [(104.625, 34.998), (104.61, 34.998), MATTER]


def test_without_roads_the_route_is_the_straight_line():
    found = route(MATTER, ACROSS)

    assert found.coordinates == [(ACROSS.lon, ACROSS.lat), MATTER]
    assert found.eta.source == EtaSource.STRAIGHT_LINE


def test_a_unit_standing_on_a_junction_is_routed_from_it(road_network):
    road_network(*RIVER)
    at_bridge = Traveller(9, 104.66, 34.998, "bike")  # where the south road meets the bridge
    expected = seconds(metres((104.66, 34.998), (104.61, 34.998)), bike("village")) + seconds(
        metres(MATTER, (104.61, 34.998)), OFF_ROAD_SPEED_KMH
    )

    assert travel_times(MATTER, [at_bridge])[9].seconds == pytest.approx(expected, abs=0.5)
    assert route(MATTER, at_bridge).coordinates == [(104.66, 34.998), (104.61, 34.998), MATTER]


def test_the_best_few_are_the_same_as_with_every_unit_routed(road_network):
    road_network(*RIVER)
    units = [
        ACROSS,
        ALONG,
        Traveller(10, 104.612, 34.998, "walk"),
        Traveller(11, 104.64, 34.998, "car"),
        Traveller(12, 104.65, 35.002, "bike"),
        Traveller(13, 104.70, 35.002, "walk"),  # 8 km away on foot: 1.8 h at the very least
    ]
    every = travel_times(MATTER, units)
    first_three = sorted(every, key=lambda key: every[key].seconds)[:3]

    best = best_travel_times(MATTER, units, limit=3)

    assert sorted(best, key=lambda key: best[key].seconds)[:3] == first_three
    assert all(best[key].seconds == pytest.approx(every[key].seconds) for key in best)
    assert 13 not in best  # could not make the first three: never routed
