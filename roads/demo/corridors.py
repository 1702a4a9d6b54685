"""The demo county's three main corridors, hand-drawn.

SYNTHETIC APPROXIMATIONS: polylines that follow the rough course of the real roads (the G30
expressway from the Dingxi side down to the Wei valley and out east, the G316 national road along
the Wei river through the county seat, a north–south provincial road through the seat), fitted to
the demo's synthetic township layout. They are not surveyed alignments. The demo road network
(roads/demo/network.py) is built on them, and incidents/demo/roads.py places hazards along them.
"""

from __future__ import annotations

from roads.choices import RoadClass

# name → (lon, lat) vertices, WGS84.
CORRIDORS: dict[str, tuple[tuple[float, float], ...]] = {
    "G30 连霍高速（示意）": (
        (104.870, 35.420),
        (104.790, 35.300),
        (104.762, 35.190),
        (104.742, 35.090),
        (104.700, 35.024),
        (104.780, 34.972),
        (104.850, 34.915),
        (104.910, 34.870),
    ),
    "G316 国道（示意，渭河谷地）": (
        (104.300, 35.030),
        (104.380, 35.012),
        (104.460, 34.982),
        (104.550, 34.990),
        (104.634, 35.003),
        (104.700, 35.012),
        (104.810, 34.990),
        (104.910, 34.925),
    ),
    "南北向省道（示意）": (
        (104.612, 35.410),
        (104.612, 35.340),
        (104.640, 35.250),
        (104.612, 35.140),
        (104.634, 35.003),
        (104.582, 34.920),
        (104.568, 34.830),
    ),
}
CORRIDOR_CLASSES: dict[str, str] = {
    "G30 连霍高速（示意）": RoadClass.EXPRESSWAY,
    "G316 国道（示意，渭河谷地）": RoadClass.NATIONAL,
    "南北向省道（示意）": RoadClass.PROVINCIAL,
}
