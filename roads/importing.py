"""Import a county's roads from a file as one new network version (manage.py import_roads).

All or nothing: every feature is checked first and any bad one (no geometry, not a line, zero
length, a class value nothing maps) stops the import with a list of feature numbers; the network
is then built in one transaction, so a failure half-way leaves the version in use as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils.translation import gettext as _

from roads.classes import (
    OSM_IMPLIED_ONEWAY,
    SKIP,
    direction_of,
    road_class_of,
    text_of,
)
from roads.models import RoadNetwork
from roads.noding import DEFAULT_SNAP_TOLERANCE_M
from roads.services import RoadLine, build_network

MAX_LISTED_ERRORS = 50
_LINES = ("LineString", "MultiLineString")


class RoadImportError(Exception):
    """The file cannot be imported; ``messages`` says which features and why (nothing written)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class RoadImportResult:
    """The network built (rolled back again on a dry run) and what was read."""

    network: RoadNetwork
    dry_run: bool


@dataclass(frozen=True)
class ClassRules:
    """How attribute values become classes: the user's map, the fallback, OSM or GIS values."""

    user_map: dict[str, str]
    default_class: str | None = None  # a class, SKIP, or None: an unknown value is an error
    osm: bool = False


def import_roads(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    source_crs: str,
    rules: ClassRules,
    name: str = "",
    imported_by: str = "",
    dry_run: bool = False,
    snap_tolerance_m: float = DEFAULT_SNAP_TOLERANCE_M,
    progress: Callable[[str], None] | None = None,
) -> RoadImportResult:
    """Check every feature of ``frame`` (EPSG:4326, columns class/name/oneway/bridge), then build
    and activate the network in one transaction; ``dry_run`` builds it and rolls it back."""
    lines, report = read_lines(frame, rules)
    report["source_crs"] = source_crs
    with transaction.atomic():
        network = build_network(
            name=name or source,
            lines=lines,
            source=source,
            imported_by=imported_by,
            activate=True,
            snap_tolerance_m=snap_tolerance_m,
            report=report,
            progress=progress,
        )
        if dry_run:
            transaction.set_rollback(True)
    return RoadImportResult(network=network, dry_run=dry_run)


@dataclass
class _Reading:
    """What reading a file found so far: the roads, the bad features, what was left out."""

    rules: ClassRules
    lines: list[RoadLine] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unknown: dict[str, list[int]] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    unclear_oneway: Counter[str] = field(default_factory=Counter)

    def feature(self, row: int, record: dict, geom: shapely.Geometry | None) -> None:
        value = text_of(record.get("class"))
        road_class = road_class_of(value, user_map=self.rules.user_map, osm=self.rules.osm)
        if road_class is None or (self.rules.osm and road_class == SKIP and value):
            road_class = self.rules.default_class or road_class
        if road_class is None:
            self.unknown.setdefault(value, []).append(row)
            return
        if road_class == SKIP:
            self.skipped[_skip_label(value, self.rules.osm)] += 1
            return
        problem = _geometry_problem(geom)
        if problem:
            self.errors.append(
                (row, _("feature %(row)d: %(problem)s") % {"row": row, "problem": problem})
            )
            return
        oneway = text_of(record.get("oneway"))
        direction = direction_of(oneway)
        if direction is None:
            self.unclear_oneway[oneway] += 1
        elif self.rules.osm and not oneway and value in OSM_IMPLIED_ONEWAY:
            direction = 1
        for part in shapely.get_parts(geom):
            coords = shapely.get_coordinates(part)
            if direction == -1:
                coords = coords[::-1]  # one-way against the drawing direction: turn it round
            wkb = shapely.to_wkb(shapely.linestrings(coords))
            self.lines.append(
                RoadLine(
                    geom=GEOSGeometry(memoryview(wkb), 4326),
                    road_class=road_class,
                    name=text_of(record.get("name"))[:200],
                    oneway=direction in (1, -1),
                    grade_separated=bool(record.get("bridge")),
                )
            )

    def raise_if_bad(self, features: int) -> None:
        errors = self.errors + [
            (rows[0], _unknown_message(value, rows)) for value, rows in self.unknown.items()
        ]
        if errors:
            messages = [message for _row, message in sorted(errors)]
            listed = messages[:MAX_LISTED_ERRORS]
            if len(messages) > MAX_LISTED_ERRORS:
                listed.append(_("… and %(n)d more.") % {"n": len(messages) - MAX_LISTED_ERRORS})
            raise RoadImportError(listed)
        if not self.lines:
            message = _("The file has no roads to import (%(n)d features, all left out).")
            raise RoadImportError([message % {"n": features}])


def read_lines(frame: gpd.GeoDataFrame, rules: ClassRules) -> tuple[list[RoadLine], dict]:
    """The roads of ``frame`` and a report of what was left out; RoadImportError lists every
    bad feature (numbered from 1 in file order)."""
    reading = _Reading(rules)
    records = frame.drop(columns=frame.geometry.name).to_dict("records")
    for row, (record, geom) in enumerate(zip(records, frame.geometry.values, strict=True), start=1):
        reading.feature(row, record, geom)
    reading.raise_if_bad(len(records))
    report = {
        "features": len(records),
        "skipped": dict(sorted(reading.skipped.items())),
        "oneway_not_understood": dict(sorted(reading.unclear_oneway.items())),
    }
    return reading.lines, report


def _geometry_problem(geom: shapely.Geometry | None) -> str:
    if geom is None or geom.is_empty:
        return _("has no geometry.")
    if geom.geom_type not in _LINES:
        return _("is a %(type)s, not a line.") % {"type": geom.geom_type}
    if not shapely.is_valid(geom):
        return _("invalid line: %(reason)s") % {"reason": shapely.is_valid_reason(geom)}
    if not geom.length > 0 or not all(p.length > 0 for p in shapely.get_parts(geom)):
        return _("has zero length (all its points are the same).")
    return ""


def _skip_label(value: str, osm: bool) -> str:
    if osm:
        return f"highway={value}" if value else _("no highway tag")
    return value or _("(no class)")


def _unknown_message(value: str, rows: list[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:10]) + ("…" if len(rows) > 10 else "")
    if not value:
        return _(
            "features %(rows)s have no road class: name the attribute with --class-field or give "
            "--default-class."
        ) % {"rows": shown}
    return _(
        "class value %(value)r (%(n)d features: %(rows)s) is not a road class this importer "
        "knows: map it with --class-map %(value)s=CLASS (or =skip) or give --default-class."
    ) % {"value": value, "n": len(rows), "rows": shown}
