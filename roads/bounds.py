"""Where a way that beats a given time can run: the box of an ellipse (roads.travel's second
round of ``best_travel_times``, docs/roads.md "Only what can make the list").

A unit at U that reaches the matter at M within T seconds, moving at most v m/s (its mode's
fastest edge, walking off the road or its straight-line speed, whichever is fastest), travels at
most L = v·T metres; every point P of its way (the walks to and from the roads included) has
|PM| + |PU| ≤ L: the way lies inside the ellipse with foci M and U and major axis L. So a search
for that unit needs only the edges meeting the ellipse's bounding box: any way it leaves out takes
longer than T. The box is worked out on the local metric plane (longitude times cos(latitude) at
the matter) and padded (``PAD_SHARE``, ``PAD_M``) for the plane's small difference from the
geography.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from roads.snapping import METRES_PER_DEGREE, Box

# The ellipse's box is widened by this share of its axis and these metres: the plane at the
# matter's latitude against distances on the geography (well under 1 % across a county).
PAD_SHARE = 0.02
PAD_M = 50.0


def ellipse_box(matter: tuple[float, float], unit: tuple[float, float], reach_m: float) -> Box:
    """The (west, south, east, north) box of every point P with |PM| + |PU| ≤ ``reach_m``."""
    cos_lat = math.cos(math.radians(matter[1]))
    dx = (unit[0] - matter[0]) * METRES_PER_DEGREE * cos_lat
    dy = (unit[1] - matter[1]) * METRES_PER_DEGREE
    focal = math.hypot(dx, dy)
    major = max(reach_m * (1 + PAD_SHARE) + PAD_M, focal)
    a = major / 2
    b = math.sqrt(max(a * a - (focal / 2) ** 2, 0.0))
    cos_t, sin_t = (dx / focal, dy / focal) if focal > 0 else (1.0, 0.0)
    half_x = math.sqrt((a * cos_t) ** 2 + (b * sin_t) ** 2)
    half_y = math.sqrt((a * sin_t) ** 2 + (b * cos_t) ** 2)
    centre_lon = (matter[0] + unit[0]) / 2
    centre_lat = (matter[1] + unit[1]) / 2
    d_lon = half_x / (METRES_PER_DEGREE * cos_lat)
    d_lat = half_y / METRES_PER_DEGREE
    return (centre_lon - d_lon, centre_lat - d_lat, centre_lon + d_lon, centre_lat + d_lat)


def union(boxes: Iterable[Box]) -> Box:
    """The box around ``boxes`` (at least one)."""
    west, south, east, north = zip(*boxes, strict=True)
    return (min(west), min(south), max(east), max(north))


def intersection(one: Box, other: Box) -> Box:
    """The part two boxes share (callers pass boxes that both hold the matter)."""
    return (
        max(one[0], other[0]),
        max(one[1], other[1]),
        min(one[2], other[2]),
        min(one[3], other[3]),
    )


def contains(outer: Box, inner: Box) -> bool:
    """Whether ``inner`` lies inside ``outer``."""
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and outer[2] >= inner[2]
        and outer[3] >= inner[3]
    )
