"""Candidates and "nearest available" by road travel time: the unit across the river is nearer in
a straight line, the one on the matter's side of it arrives first; the API and the route say how
each ETA was worked out."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString
from django.db import connection
from django.utils import translation

from roads.choices import DEFAULT_SPEEDS_KMH, OFF_ROAD_SPEED_KMH
from roads.services import RoadLine, build_network
from tests.roads.conftest import seed_speeds
from volunteers.choices import ResponderStatus
from volunteers.queries import candidates
from volunteers.services import assign

pytestmark = pytest.mark.django_db

# The `routed` matter lies at (104.605, 35.005). A river runs just north of it; the bank roads
# (village roads) are at 35.0055 (the matter's side) and 35.0095, the only bridge (a county road)
# 4.6 km east at 104.655.
MATTER = (104.605, 35.005)
RIVER = (
    (((104.595, 35.0055), (104.655, 35.0055)), "village"),
    (((104.595, 35.0095), (104.655, 35.0095)), "village"),
    (((104.655, 35.0055), (104.655, 35.0095)), "county"),
)
ACROSS = (104.605, 35.010)  # ~550 m north, across the river
ALONG = (104.620, 35.0055)  # ~1.4 km east, on the matter's bank road


def load_roads(*roads) -> None:
    """Build and activate a network of (coordinates, road class) lines."""
    seed_speeds()
    lines = [RoadLine(geom=LineString(c, srid=4326), road_class=k) for c, k in roads]
    build_network(name="river", lines=lines)


def metres(*points) -> float:
    wkt = ", ".join(f"{lon!r} {lat!r}" for lon, lat in points)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Length(ST_GeogFromText(%s))", [f"LINESTRING({wkt})"])
        return cursor.fetchone()[0]


def along_minutes(mode: str = "bike") -> float:
    """ALONG's time by hand: along the bank road, then on foot from the road to the matter."""
    ride = metres(ALONG, (104.605, 35.0055)) / (DEFAULT_SPEEDS_KMH["village"][mode] / 3.6)
    walk = metres((104.605, 35.0055), MATTER) / (OFF_ROAD_SPEED_KMH / 3.6)
    return (ride + walk) / 60


def names(found) -> list[str]:
    return [c.responder.name for c in found]


@pytest.fixture
def river_units(routed, place_responder):
    across = place_responder("across", *ACROSS, travel_mode="bike")
    along = place_responder("along", *ALONG, travel_mode="bike")
    return across, along


def test_without_roads_the_straight_line_ranks_and_is_labelled(river_units, routed):
    with translation.override("en"):
        found = candidates(routed)

    assert names(found) == ["across", "along"]
    assert {c.eta_source for c in found} == {"straight_line"}
    assert "straight line" in found[0].reasons[1]


def test_by_road_the_unit_on_the_matters_side_of_the_river_ranks_first(river_units, routed):
    load_roads(*RIVER)

    with translation.override("en"):
        found = candidates(routed)

    assert names(found) == ["along", "across"]
    assert found[0].distance_m > found[1].distance_m  # farther as the crow flies
    assert found[0].eta_source == "road"
    assert found[0].eta_minutes == pytest.approx(along_minutes(), abs=0.01)
    assert found[1].eta_minutes > 40  # round by the bridge
    assert "by road" in found[0].reasons[1]


def test_the_own_area_preference_counts_in_minutes(routed, place_responder, settings):
    load_roads(*RIVER)
    settings.DISPATCH_HOME_PREFERENCE_MINUTES = 2.5
    # Two cars on the matter's bank road, 1.0 km and 1.4 km east: the farther one serves the
    # matter's village. By car (20 km/h on a village road) 400 m more is 1.2 min: it wins.
    place_responder("other township", 104.616, 35.0055, home="621122101000")
    place_responder("own village", *ALONG, home="621122100001")

    found = candidates(routed)

    assert names(found) == ["own village", "other township"]
    assert found[0].eta_minutes > found[1].eta_minutes
    assert found[0].score_minutes == pytest.approx(found[0].eta_minutes - 2.5)


def test_the_preference_does_not_beat_a_much_sooner_unit(routed, place_responder, settings):
    load_roads(*RIVER)
    settings.DISPATCH_HOME_PREFERENCE_MINUTES = 2.5
    place_responder("other township", 104.606, 35.0055, home="621122101000")
    place_responder("own village", *ALONG, home="621122100001")  # ~4 min later by car

    assert names(candidates(routed))[0] == "other township"


def test_a_unit_the_roads_do_not_reach_is_ranked_by_the_straight_line_and_says_why(
    routed, place_responder
):
    load_roads(*RIVER, (((104.70, 35.05), (104.71, 35.05)), "village"))
    place_responder("island", 104.705, 35.0505, travel_mode="bike")

    with translation.override("en"):
        (found,) = candidates(routed)

    assert found.eta_source == "straight_line"
    assert "no route by road: not connected by road" in found.reasons


def test_nearest_available_sends_the_unit_that_arrives_first(river_units, routed, people):
    load_roads(*RIVER)
    _across, along = river_units

    done = assign(incident_id=routed.pk, actor=people["village"], responder_id=None)

    assert done.assignment.responder_id == along.pk


def test_nearest_available_without_roads_stays_the_nearest(river_units, routed, people):
    across, _along = river_units

    done = assign(incident_id=routed.pk, actor=people["village"], responder_id=None)

    assert done.assignment.responder_id == across.pk


def test_nearest_available_by_road_passes_over_a_busy_unit(river_units, routed, people):
    load_roads(*RIVER)
    across, along = river_units
    along.status = ResponderStatus.OFF_DUTY
    along.save(update_fields=["status"])

    done = assign(incident_id=routed.pk, actor=people["village"], responder_id=None)

    assert done.assignment.responder_id == across.pk
