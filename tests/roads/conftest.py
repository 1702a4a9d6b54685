"""Road networks built by hand for the routing tests."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from roads.choices import DEFAULT_SPEEDS_KMH
from roads.models import RoadSpeed
from roads.services import RoadLine, build_network


def seed_speeds() -> None:
    """The migration's speed table, also after a transactional test's flush emptied it (as
    tests/fixtures/incidents.py's category_table does for the categories)."""
    rows = [
        RoadSpeed(road_class=road_class, mode=mode, kmh=kmh)
        for road_class, speeds in DEFAULT_SPEEDS_KMH.items()
        for mode, kmh in speeds.items()
    ]
    RoadSpeed.objects.bulk_create(rows, ignore_conflicts=True)


@pytest.fixture(autouse=True)
def speed_table(request) -> None:
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        seed_speeds()


@pytest.fixture
def road_network(db):
    """Builds and activates a network from (coordinates, road_class[, oneway]) tuples."""
    seed_speeds()

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
