"""Load the demo county's synthetic road network (manage.py load_demo_roads, make demo)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.gis.geos import LineString

from gridmap.choices import AreaLevel
from gridmap.demo.county import ANCHORS, SEAT_TOWNSHIP
from gridmap.demo.reference import COUNTY_CODE
from gridmap.models import Area
from roads.demo.network import MARK, DemoRoad, Place, generate_roads
from roads.models import RoadNetwork
from roads.services import RoadLine, build_network

DEMO_NETWORK_NAME = f"陇西县道路网{MARK}"
DEMO_ROADS_SOURCE = "demo:longxi roads v1: synthetic corridors, county/township/village roads"


def demo_places() -> tuple[dict[str, Place], dict[str, list[Place]]]:
    """Township seats and village centres of the loaded demo county.

    A village centre is the label point of its area. A township seat is the centre of its
    first village by code (the town's own community or village, where NBS numbering puts the
    seat), except the county seat, which is the anchor the corridors meet at.
    """
    prefix = COUNTY_CODE[:6]
    rows = (
        Area.objects.current()
        .filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE], code__startswith=prefix)
        .order_by("code")
        .values_list("code", "name", "level", "parent__code", "label_point")
    )
    townships: dict[str, str] = {}
    villages: dict[str, list[Place]] = {}
    for code, name, level, parent, point in rows:
        if level == AreaLevel.TOWNSHIP:
            townships[code] = name
        else:
            villages.setdefault(parent, []).append(Place(code, name, point.x, point.y))
    seats = {}
    for code, name in townships.items():
        if code == SEAT_TOWNSHIP:
            lon, lat = ANCHORS[SEAT_TOWNSHIP]
        elif villages.get(code):
            lon, lat = villages[code][0].lon, villages[code][0].lat
        else:
            continue
        seats[code] = Place(code, name, lon, lat)
    return seats, villages


def load_demo_roads(*, progress: Callable[[str], None] | None = None) -> RoadNetwork:
    """Generate the synthetic network for the loaded demo county and make it the one in use."""
    seats, villages = demo_places()
    roads = generate_roads(seats, villages, SEAT_TOWNSHIP)
    return build_network(
        name=DEMO_NETWORK_NAME,
        lines=[_line(road) for road in roads],
        source=DEMO_ROADS_SOURCE,
        synthetic=True,
        imported_by="load_demo_roads",
        report={"generated_roads": len(roads)},
        progress=progress,
    )


def _line(road: DemoRoad) -> RoadLine:
    return RoadLine(
        geom=LineString([tuple(xy) for xy in road.coords.tolist()], srid=4326),
        road_class=road.road_class,
        name=road.name,
    )
