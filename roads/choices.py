"""Road classes, travel modes and the default speeds of each class for each mode."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TravelMode(models.TextChoices):
    """How a unit moves: the speeds on each road class and off the road depend on it."""

    WALK = "walk", _("On foot")
    BIKE = "bike", _("Bicycle or e-bike")
    CAR = "car", _("Car")


class RoadClass(models.TextChoices):
    """China's administrative road classes (公路技术等级/行政等级), plus streets and tracks."""

    EXPRESSWAY = "expressway", _("Expressway")
    NATIONAL = "national", _("National road")
    PROVINCIAL = "provincial", _("Provincial road")
    COUNTY = "county", _("County road")
    TOWNSHIP = "township", _("Township road")
    VILLAGE = "village", _("Village road")
    STREET = "street", _("Town street")
    TRACK = "track", _("Farm track")
    PATH = "path", _("Footpath")


# Straight-line speeds (km/h) for the ETA where no road network is loaded: slower than the road
# speeds below because the straight line is shorter than any road over the Loess Plateau.
STRAIGHT_LINE_SPEED_KMH: dict[str, float] = {
    TravelMode.WALK: 4.5,
    TravelMode.BIKE: 12.0,
    TravelMode.CAR: 35.0,
}

# Off the road (from a matter or a unit to the nearest edge) everybody walks.
OFF_ROAD_SPEED_KMH = 4.5

# Default speeds (km/h) per road class and mode; None: the mode may not use the class (no walking
# or cycling on expressways, no cars on footpaths). Editable in the admin (RoadSpeed); these are
# the rows a new installation starts with: design speeds of JTG B01-2014 lowered for mountain
# terrain, pedestrians 4.5 km/h, e-bikes limited to 25 km/h by GB 17761-2018 and slower uphill.
DEFAULT_SPEEDS_KMH: dict[str, dict[str, float | None]] = {
    RoadClass.EXPRESSWAY: {TravelMode.WALK: None, TravelMode.BIKE: None, TravelMode.CAR: 80.0},
    RoadClass.NATIONAL: {TravelMode.WALK: 4.5, TravelMode.BIKE: 18.0, TravelMode.CAR: 60.0},
    RoadClass.PROVINCIAL: {TravelMode.WALK: 4.5, TravelMode.BIKE: 18.0, TravelMode.CAR: 50.0},
    RoadClass.COUNTY: {TravelMode.WALK: 4.5, TravelMode.BIKE: 16.0, TravelMode.CAR: 40.0},
    RoadClass.TOWNSHIP: {TravelMode.WALK: 4.5, TravelMode.BIKE: 15.0, TravelMode.CAR: 30.0},
    RoadClass.VILLAGE: {TravelMode.WALK: 4.5, TravelMode.BIKE: 12.0, TravelMode.CAR: 20.0},
    RoadClass.STREET: {TravelMode.WALK: 4.5, TravelMode.BIKE: 15.0, TravelMode.CAR: 25.0},
    RoadClass.TRACK: {TravelMode.WALK: 4.0, TravelMode.BIKE: 8.0, TravelMode.CAR: 10.0},
    RoadClass.PATH: {TravelMode.WALK: 4.0, TravelMode.BIKE: 6.0, TravelMode.CAR: None},
}

# The cost column of RoadEdge for each mode: seconds to travel the edge, -1 where the mode may
# not use it (pgRouting's convention for an edge that does not exist).
COST_COLUMN: dict[str, str] = {
    TravelMode.WALK: "walk_s",
    TravelMode.BIKE: "bike_s",
    TravelMode.CAR: "car_s",
}
