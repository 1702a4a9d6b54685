"""Isochrones follow the roads: a node 9 minutes away is inside the 10-minute polygon, a node
11 minutes away by road is outside it even where it lies a short walk from the start."""

from __future__ import annotations

import math

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point

from roads.isochrones import isochrones, node_costs, snap

pytestmark = pytest.mark.django_db

LAT = 35.005
START = (104.605, LAT)
# A county road (40 km/h by car: 666.7 m a minute) east for 5 minutes, north for 1, back west
# for 5: its west end lies 1 minute's drive north of the start in a straight line but 11 minutes
# away by road (a gully between, no road across it).
M_PER_MIN = 40 / 3.6 * 60


def east(metres: float) -> float:
    return metres / (111_320 * math.cos(math.radians(LAT)))


def north(metres: float) -> float:
    return metres / 110_950


X_END = START[0] + east(5 * M_PER_MIN)
Y_TOP = LAT + north(M_PER_MIN)
NINE = (START[0] + east(2 * M_PER_MIN), Y_TOP)  # 5 + 1 + 3 minutes
ELEVEN = (START[0], Y_TOP)  # 5 + 1 + 5 minutes
LOOP = (
    ((START, (X_END, LAT)), "county"),
    (((X_END, LAT), (X_END, Y_TOP)), "county"),
    (((X_END, Y_TOP), NINE), "county"),
    ((NINE, ELEVEN), "county"),
)


def polygon(shape) -> GEOSGeometry:
    import json

    return GEOSGeometry(json.dumps(shape.geometry), srid=4326)


def test_a_node_at_nine_minutes_is_inside_ten_and_one_at_eleven_is_outside(road_network):
    network = road_network(*LOOP)
    (snapped,) = snap(network, "car", [START])
    costs = node_costs(network, "car", [snapped], 15 * 60)[0]
    minutes = {
        round(costs[node_id] / 60, 2): point
        for point in (NINE, ELEVEN)
        for node_id in network.nodes.filter(
            geom__dwithin=(Point(*point, srid=4326), 1e-6)
        ).values_list("id", flat=True)
    }
    assert sorted(minutes) == pytest.approx([9.0, 11.0], abs=0.1)  # the hand-built times

    five, ten, fifteen = isochrones(
        network=network, lon=START[0], lat=START[1], minutes=[5, 10, 15], mode="car"
    )
    assert [s.minutes for s in (five, ten, fifteen)] == [5, 10, 15]
    assert polygon(ten).contains(Point(*NINE, srid=4326))
    assert not polygon(ten).contains(Point(*ELEVEN, srid=4326))
    assert polygon(fifteen).contains(Point(*ELEVEN, srid=4326))
    # The 5-minute polygon reaches the corner's foot, not beyond it.
    assert polygon(five).contains(Point(X_END - east(50), LAT, srid=4326))
    assert not polygon(five).contains(Point(X_END, Y_TOP, srid=4326))
    assert 0 < five.area_km2 < ten.area_km2 < fifteen.area_km2


def test_walking_reaches_less_than_driving(road_network):
    network = road_network(*LOOP)
    (walk,) = isochrones(network=network, lon=START[0], lat=START[1], minutes=[10], mode="walk")
    (car,) = isochrones(network=network, lon=START[0], lat=START[1], minutes=[10], mode="car")
    # 10 minutes on foot: 750 m of road, not the 5-minute corner.
    assert polygon(walk).contains(Point(START[0] + east(600), LAT, srid=4326))
    assert not polygon(walk).contains(Point(START[0] + east(1000), LAT, srid=4326))
    assert walk.area_km2 < car.area_km2


def test_one_way_roads_bound_the_driving_isochrone(road_network):
    # The only road leaves the start against its one-way direction: a car goes nowhere, a walker
    # walks it.
    network = road_network((((X_END, LAT), START), "county", True))
    (car,) = isochrones(network=network, lon=START[0], lat=START[1], minutes=[5], mode="car")
    assert not polygon(car).contains(Point(START[0] + east(1000), LAT, srid=4326))
    (walk,) = isochrones(network=network, lon=START[0], lat=START[1], minutes=[5], mode="walk")
    assert polygon(walk).contains(Point(START[0] + east(300), LAT, srid=4326))


def test_the_walk_to_the_road_counts(road_network):
    network = road_network(*LOOP)
    # 375 m south of the road: 5 minutes on foot before the car starts.
    away = (START[0] + east(100), LAT - north(375))
    (snapped,) = snap(network, "car", [away])
    assert snapped.off_road_s == pytest.approx(300, rel=0.02)
    (five,) = isochrones(network=network, lon=away[0], lat=away[1], minutes=[5], mode="car")
    assert not polygon(five).contains(Point(START[0] + east(1000), LAT, srid=4326))
    (ten,) = isochrones(network=network, lon=away[0], lat=away[1], minutes=[10], mode="car")
    assert polygon(ten).contains(Point(X_END - east(100), LAT, srid=4326))
