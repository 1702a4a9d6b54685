"""What a file's attribute values mean: road class and one-way.

Built in: OpenStreetMap ``highway`` values; Chinese class names (高速/国道/省道/县道/乡道/
村道/街道…); the administrative letters of the national route numbering (G/S/X/Y/C) and
whole route numbers (G30 is an expressway, G316 a national road, S209 a provincial road,
X081 a county road…); and the class names of this project (``expressway``, ``national``…).
A user's ``--class-map`` comes first; ``SKIP`` leaves a feature out (counted in the report).
"""

from __future__ import annotations

import re

from roads.choices import RoadClass

SKIP = "skip"

# OpenStreetMap highway=* → class; values not listed (proposed, construction, platform, …) are
# not roads one travels on and are skipped.
OSM_CLASSES: dict[str, str] = {
    "motorway": RoadClass.EXPRESSWAY,
    "motorway_link": RoadClass.EXPRESSWAY,
    "trunk": RoadClass.NATIONAL,
    "trunk_link": RoadClass.NATIONAL,
    "primary": RoadClass.PROVINCIAL,
    "primary_link": RoadClass.PROVINCIAL,
    "secondary": RoadClass.COUNTY,
    "secondary_link": RoadClass.COUNTY,
    "tertiary": RoadClass.TOWNSHIP,
    "tertiary_link": RoadClass.TOWNSHIP,
    "unclassified": RoadClass.VILLAGE,
    "service": RoadClass.VILLAGE,  # in villages often the only road to a courtyard
    "road": RoadClass.VILLAGE,
    "residential": RoadClass.STREET,
    "living_street": RoadClass.STREET,
    "track": RoadClass.TRACK,
    "path": RoadClass.PATH,
    "footway": RoadClass.PATH,
    "pedestrian": RoadClass.PATH,
    "steps": RoadClass.PATH,
    "cycleway": RoadClass.PATH,
    "bridleway": RoadClass.PATH,
}
# Ways OpenStreetMap treats as one-way without a oneway tag.
OSM_IMPLIED_ONEWAY = ("motorway", "motorway_link")

CHINESE_CLASSES: dict[str, str] = {
    "高速": RoadClass.EXPRESSWAY,
    "高速公路": RoadClass.EXPRESSWAY,
    "国道": RoadClass.NATIONAL,
    "省道": RoadClass.PROVINCIAL,
    "县道": RoadClass.COUNTY,
    "乡道": RoadClass.TOWNSHIP,
    "村道": RoadClass.VILLAGE,
    "街道": RoadClass.STREET,
    "城市道路": RoadClass.STREET,
    "街巷": RoadClass.STREET,
    "机耕路": RoadClass.TRACK,
    "机耕道": RoadClass.TRACK,
    "田间道": RoadClass.TRACK,
    "小路": RoadClass.PATH,
    "步道": RoadClass.PATH,
    "人行道": RoadClass.PATH,
    # The administrative letter of the route number (公路路线编号): 国/省/县/乡/村.
    "G": RoadClass.NATIONAL,
    "S": RoadClass.PROVINCIAL,
    "X": RoadClass.COUNTY,
    "Y": RoadClass.TOWNSHIP,
    "C": RoadClass.VILLAGE,
}
# Whole route numbers: expressways have one, two or four digits (G30, G3011, S2), ordinary
# national and provincial roads three (G316, S209).
ROUTE_NUMBERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[GS](\d{1,2}|\d{4})$"), RoadClass.EXPRESSWAY),
    (re.compile(r"^G\d{3}$"), RoadClass.NATIONAL),
    (re.compile(r"^S\d{3}$"), RoadClass.PROVINCIAL),
    (re.compile(r"^X\d{1,4}$"), RoadClass.COUNTY),
    (re.compile(r"^Y\d{1,4}$"), RoadClass.TOWNSHIP),
    (re.compile(r"^C\d{1,4}$"), RoadClass.VILLAGE),
)

FORWARD = frozenset({"yes", "true", "1", "y", "t", "是", "单行", "单向"})
REVERSE = frozenset({"-1", "reverse", "backward"})
TWO_WAY = frozenset({"", "no", "false", "0", "n", "f", "否", "双向", "双行"})


def parse_class_map(items: list[str]) -> dict[str, str]:
    """``VALUE=CLASS`` items (CLASS a road class or ``skip``) as a dict; ValueError: a bad one."""
    mapping: dict[str, str] = {}
    for item in items:
        value, sep, road_class = item.partition("=")
        road_class = road_class.strip().lower()
        if not sep or road_class not in (*RoadClass.values, SKIP):
            raise ValueError(item)
        mapping[value.strip()] = road_class
    return mapping


def road_class_of(value: object, *, user_map: dict[str, str], osm: bool) -> str | None:
    """The class (or SKIP) of an attribute value, or None where nothing says what it is."""
    text = text_of(value)
    if text in user_map:
        return user_map[text]
    if osm:
        return OSM_CLASSES.get(text, SKIP)
    if text.lower() in RoadClass.values:
        return text.lower()
    if text in CHINESE_CLASSES:
        return CHINESE_CLASSES[text]
    upper = text.upper()
    if upper in CHINESE_CLASSES:
        return CHINESE_CLASSES[upper]
    for pattern, road_class in ROUTE_NUMBERS:
        if pattern.match(upper):
            return road_class
    return OSM_CLASSES.get(text.lower())


def direction_of(value: object) -> int | None:
    """1: one-way along the line, -1: one-way against it, 0: both ways; None: not understood."""
    text = text_of(value).lower()
    if text in FORWARD:
        return 1
    if text in REVERSE:
        return -1
    if text in TWO_WAY:
        return 0
    return None


def text_of(value: object) -> str:
    """An attribute as stripped text; missing values (None, NaN) are ''; 1.0 reads as '1'."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
