"""Patrol tests: the incidents environment (users, categories, photos in tmp) and a walk helper."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pyproj import Transformer

from patrols.services import PointInput

# A straight walk along the parallel 35.005 inside grid A1 south ([104.60, 104.61] × [35.00,
# 35.01]), from 104.602 to 104.608 in 12 steps of 0.0005° (about 45.6 m each).
WALK_LAT = 35.005
WALK_LONS = [round(104.602 + 0.0005 * i, 4) for i in range(13)]
GRID_A1_SOUTH = (104.60, 35.00, 104.61, 35.01)
RADIUS = 50.0

_TO_METRIC = Transformer.from_crs(4326, 4544, always_xy=True)


def grid_m2(bbox: tuple[float, float, float, float]) -> float:
    """The area of a lon/lat rectangle's projected corners (shoelace), EPSG:4544 m²."""
    west, south, east, north = bbox
    corners = [_TO_METRIC.transform(x, y) for x, y in
               [(west, south), (east, south), (east, north), (west, north)]]  # fmt: skip
    return 0.5 * abs(
        sum(
            corners[i][0] * corners[(i + 1) % 4][1] - corners[(i + 1) % 4][0] * corners[i][1]
            for i in range(4)
        )
    )


def hand_share(lons: list[float] = WALK_LONS, lat: float = WALK_LAT) -> float:
    """The expected covered share, by hand: the 50 m buffer of a straight segment of length L
    lying wholly inside the grid has area 2·r·L + π·r² (a rectangle and two half discs); the grid
    is the quadrilateral of its projected corners (shoelace). Both in EPSG:4544 metres, as the
    server computes; only the corner and end points are projected here."""
    (x0, y0), (x1, y1) = (_TO_METRIC.transform(lons[0], lat), _TO_METRIC.transform(lons[-1], lat))
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    buffer_m2 = 2 * RADIUS * length + 3.141592653589793 * RADIUS**2
    grid_area = grid_m2(GRID_A1_SOUTH)
    return buffer_m2 / grid_area


@pytest.fixture(autouse=True)
def patrols_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """As the incidents tests: photos in tmp, fast hashing, the categories."""


def walk_points(start: dt.datetime, lons: list[float] = WALK_LONS, lat: float = WALK_LAT):
    """The walk as phone fixes, 40 s apart, 5 m accuracy."""
    return [
        PointInput(
            lon=lon, lat=lat, at=(start + dt.timedelta(seconds=40 * i)).isoformat(), accuracy_m=5
        )
        for i, lon in enumerate(lons)
    ]


@pytest.fixture
def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)
