"""Road networks built by hand for the routing tests."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from roads.choices import DEFAULT_SPEEDS_KMH
from roads.models import RoadSpeed
from roads.services import RoadLine, build_network


def speed_table() -> None:
    """The migration's default speeds where the table lost them: a transactional test (the
    browser tests) flushes the reused test database, seeded rows included."""
    for road_class, speeds in DEFAULT_SPEEDS_KMH.items():
        for mode, kmh in speeds.items():
            RoadSpeed.objects.get_or_create(road_class=road_class, mode=mode, defaults={"kmh": kmh})


@pytest.fixture
def road_network(db):
    """Builds and activates a network from (coordinates, road_class[, oneway]) tuples."""
    speed_table()

    def build(*roads, name: str = "test roads"):
        lines = [
            RoadLine(
                geom=LineString(coords, srid=4326),
                road_class=road_class,
                oneway=bool(rest and rest[0]),
            )
            for coords, road_class, *rest in roads
        ]
        return build_network(name=name, lines=lines)

    return build
