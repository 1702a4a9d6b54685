"""Road networks built by hand for the routing tests."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from roads.services import RoadLine, build_network


@pytest.fixture
def road_network():
    """Builds and activates a network from (coordinates, road_class[, oneway]) tuples."""

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
