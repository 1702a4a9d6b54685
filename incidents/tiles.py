"""Vector tiles of matters (Mapbox Vector Tiles from PostGIS), scoped to what a user may see.

The read path of the operations map: one parameterised SQL statement per tile. The matters a user
may see and the map's filters are built with the ORM (``visible_incidents`` and the queue's own
rules), compiled to SQL and wrapped in raw SQL, because Django has no expression for
``ST_AsMVT``/``ST_TileEnvelope`` and the aggregation below must run in the database.

- Below ``RAW_MIN_ZOOM`` (and in a raw tile that would hold more than ``RAW_MAX_FEATURES``) the
  points are aggregated on the server: snapped to a grid of
  ``CLUSTER_CELLS`` × ``CLUSTER_CELLS`` cells per tile (in Web Mercator), one feature per cell
  with its count, counts per kind and overdue count, at the cell's mean position. A z10 tile of a
  million matters thus holds at most a few hundred features.
- Below ``RAW_MIN_ZOOM`` the handled matters (the bulk of a county's history) are not read one
  by one: ``HandledTally`` holds them counted per grid cell, handling unit, kind and state at
  their mean position, kept by database triggers; open matters (a partial GiST index holds
  their locations) and the user's own reports outside their jurisdiction are added one by one.
  A category or period filter, which the tally cannot answer, reads every matter.
- From ``RAW_MIN_ZOOM`` on, one feature per matter: id (as the feature id and as a property, which
  Leaflet.VectorGrid hands to click handlers), kind, category, state, overdue,
  supervised, approximate (placed at an area's label point by an imported ledger). Never any
  party's personal data, nor the title or description (the side panel asks the detail API,
  which applies the privacy rules).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from gridmap.choices import code_prefix, level_for_code
from gridmap.scoping import user_area
from incidents.choices import HANDLED_STATES, OPEN_STATES, IncidentKind, State
from incidents.models import HandledTally, Incident
from incidents.queries import overdue_q, scope_q, visibility_q

LAYER = "matters"
RAW_MIN_ZOOM = 14
# A raw tile holding more matters than this (a dense town at z14) is aggregated like a low-zoom
# one, so no tile grows past a few tens of KB whatever the density.
RAW_MAX_FEATURES = 4000
CLUSTER_CELLS = 32  # per tile side below RAW_MIN_ZOOM: 8 screen pixels a cell at 256 px tiles
EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# The Web-Mercator world's width in metres (EPSG:3857), which tile sizes are fractions of.
WORLD_M = 40075016.68557849
EARTH_RADIUS_M = 6378137.0


def tile_exists(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of the served zoom range."""
    return z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def buffer_margin_m(z: int) -> float:
    """The tile buffer in metres at zoom ``z``: features that far outside are drawn too."""
    return (WORLD_M / 2**z) * BUFFER / EXTENT


# Heat cells: a square of this many screen pixels at the requested zoom.
HEAT_CELL_PX = 16
HEAT_MAX_CELLS = 20000

PERIODS = ("7d", "30d", "this_month", "last_month", "this_year", "last_year")
STATE_GROUPS = ("open", "overdue", "closed", "all")


class TileFilterError(ValueError):
    """A filter parameter that cannot be read; the message names it."""


@dataclass(frozen=True)
class TileFilters:
    """The map's filters, read from query parameters."""

    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    state: str = "open"
    period: str = ""
    area: str = ""

    @classmethod
    def from_query(cls, query) -> TileFilters:
        kinds = tuple(sorted(set(query.getlist("kind"))))
        if any(kind not in IncidentKind.values for kind in kinds):
            raise TileFilterError("kind")
        state = query.get("state") or "open"
        if state not in STATE_GROUPS and state not in State.values:
            raise TileFilterError("state")
        period = query.get("period") or ""
        if period and period not in PERIODS:
            raise TileFilterError("period")
        area = query.get("area") or ""
        if area and level_for_code(area) is None:
            raise TileFilterError("area")
        categories = tuple(sorted(set(query.getlist("category"))))
        return cls(kinds=kinds, categories=categories, state=state, period=period, area=area)

    def key(self) -> str:
        return "|".join(
            [",".join(self.kinds), ",".join(self.categories), self.state, self.period, self.area]
        )


def period_bounds(period: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a named period in the site's time zone."""
    local = timezone.localtime(now)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "7d":
        return now - dt.timedelta(days=7), now
    if period == "30d":
        return now - dt.timedelta(days=30), now
    month_start = day.replace(day=1)
    if period == "this_month":
        return month_start, now
    if period == "last_month":
        previous = (month_start - dt.timedelta(days=1)).replace(day=1)
        return previous, month_start
    year_start = day.replace(month=1, day=1)
    if period == "this_year":
        return year_start, now
    if period == "last_year":
        return year_start.replace(year=year_start.year - 1), year_start
    raise TileFilterError("period")


def filtered_incidents(user: object, filters: TileFilters, now: dt.datetime) -> QuerySet[Incident]:
    """The matters ``user`` may see that pass ``filters`` (the ORM builds and scopes them)."""
    queryset = Incident.objects.filter(visibility_q(user))
    if filters.kinds:
        queryset = queryset.filter(kind__in=filters.kinds)
    if filters.categories:
        queryset = queryset.filter(category__code__in=filters.categories)
    if filters.state == "open":
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif filters.state == "overdue":
        queryset = queryset.filter(overdue_q(now))
    elif filters.state == "closed":
        queryset = queryset.filter(state=State.CLOSED)
    elif filters.state != "all":
        queryset = queryset.filter(state=filters.state)
    if filters.period:
        start, end = period_bounds(filters.period, now)
        queryset = queryset.filter(received_at__gte=start, received_at__lt=end)
    if filters.area:
        queryset = queryset.filter(_area_q(filters.area))
    return queryset


def _area_q(code: str) -> Q:
    """Grid inside the area ``code``, for matters and tally rows alike."""
    # The code says its level (a materialised path): no query per tile to look the area up.
    return Q(grid__code__startswith=code_prefix(code, level_for_code(code)))


def _compiled(rows: QuerySet) -> tuple[str, list] | None:
    """SQL and params of a values queryset; None when its filters can match nothing (Django then
    compiles no SQL at all)."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, list(params)


def _with_overdue(queryset: QuerySet[Incident], now: dt.datetime) -> QuerySet[Incident]:
    # No ORDER BY (the model's ordering would come along): it keeps PostgreSQL from merging the
    # subquery into the tile's and driving it from the location index.
    return queryset.order_by().annotate(
        is_overdue=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _tile_source(queryset: QuerySet[Incident], now: dt.datetime) -> tuple[str, list] | None:
    """SQL of (id, kind, category, state, supervised, overdue, approximate, location) rows."""
    return _compiled(
        _with_overdue(queryset, now).values_list(
            "id",
            "kind",
            "category__code",
            "state",
            "supervised",
            "is_overdue",
            "location_approximate",
            "location",
        )
    )


def _uses_tally(filters: TileFilters, z: int) -> bool:
    """Whether the handled matters of an aggregated view can be read from ``HandledTally``.

    The tally has no category nor intake time, and its counts sit at a grid cell's mean
    position, which is finer than a cluster cell only below RAW_MIN_ZOOM.
    """
    counts_handled = filters.state in ("all", State.CLOSED) or filters.state in HANDLED_STATES
    return z < RAW_MIN_ZOOM and counts_handled and not filters.categories and not filters.period


def _tally_rows(scope: Q, filters: TileFilters) -> QuerySet[HandledTally]:
    """The tally rows inside a user's ``scope_q`` that pass ``filters``."""
    rows = HandledTally.objects.filter(scope)
    if filters.kinds:
        rows = rows.filter(kind__in=filters.kinds)
    if filters.state != "all":
        rows = rows.filter(state=filters.state)
    if filters.area:
        rows = rows.filter(_area_q(filters.area))
    return rows


@dataclass(frozen=True)
class _Bounds:
    """A rectangle in WGS84 degrees and in Web-Mercator metres (the same one: meridians and
    parallels are straight lines in both)."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def of_tile(cls, z: int, x: int, y: int) -> _Bounds:
        size = WORLD_M / 2**z
        left, top = -WORLD_M / 2 + x * size, WORLD_M / 2 - y * size
        return cls(_lon(left), _lat(top - size), _lon(left + size), _lat(top))

    def params(self) -> dict[str, float]:
        return {
            "west": self.west,
            "south": self.south,
            "east": self.east,
            "north": self.north,
            "xmin": _x(self.west),
            "xmax": _x(self.east),
            "ymin": _y(self.south),
            "ymax": _y(self.north),
        }


# Web Mercator and back, as incidents_mercator_x/y compute it in the database.
def _x(lon: float) -> float:
    return EARTH_RADIUS_M * math.radians(lon)


def _y(lat: float) -> float:
    return EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _lon(x: float) -> float:
    return math.degrees(x / EARTH_RADIUS_M)


def _lat(y: float) -> float:
    return math.degrees(math.atan(math.sinh(y / EARTH_RADIUS_M)))


# Each branch yields (kind, overdue, n, px, py) rows inside _Bounds: a matter is one point, a
# tally row ``n`` matters at their mean position. The rectangles are literals, not a CTE's
# columns, so the planner can weigh the location index against the others (a user's own
# reports, the partial index of open matters).
_MATTER_POINTS = """
SELECT s.kind, s.overdue, 1 AS n, incidents_mercator_x(s.location) AS px,
       incidents_mercator_y(s.location) AS py
FROM ({source}) AS s(kind, overdue, location)
WHERE s.location && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
"""
_TALLY_POINTS = """
SELECT t.kind, false AS overdue, t.count AS n, t.sum_x / t.count AS px, t.sum_y / t.count AS py
FROM ({source}) AS t(kind, count, sum_x, sum_y, centre)
WHERE t.centre && ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 3857)
"""


def _weighted_points(
    user: object, filters: TileFilters, z: int, now: dt.datetime
) -> tuple[str, list] | None:
    """SQL of the weighted points an aggregated view counts, and its params; None if nothing.

    Through the tally: open matters one by one (their overdue marks move with time), handled ones
    from ``HandledTally``, plus the user's own reports outside their jurisdiction's grids and
    units (``visibility_q``'s third branch, which the tally cannot tell).
    """
    matters = filtered_incidents(user, filters, now)
    scope = scope_q(user)
    if scope is None:
        return None
    parts: list[tuple[str, QuerySet]] = []
    if _uses_tally(filters, z):
        tally = _tally_rows(scope, filters)
        parts.append(
            (_TALLY_POINTS, tally.values_list("kind", "count", "sum_x", "sum_y", "centre"))
        )
        if filters.state == "all":
            parts.append((_MATTER_POINTS, matters.filter(state__in=OPEN_STATES)))
        elsewhere = matters.exclude(state__in=OPEN_STATES).filter(reporter=user).exclude(scope)
        parts.append((_MATTER_POINTS, elsewhere))
    else:
        parts.append((_MATTER_POINTS, matters))
    branches, params = [], []
    for template, rows in parts:
        if template is _MATTER_POINTS:
            rows = _with_overdue(rows, now).values_list("kind", "is_overdue", "location")
        compiled = _compiled(rows)
        if compiled is not None:
            branches.append(template.format(source=compiled[0]))
            params.extend(compiled[1])
    if not branches:
        return None
    return "UNION ALL".join(branches), params


# The envelope in 4326 lets the GiST index on ``location`` cut the rows (the points are stored in
# WGS84); ST_Transform then runs only on the points of this tile plus its buffer.
_RAW_SQL = """
WITH env AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS m),
box AS (SELECT m, ST_Transform(ST_Expand(m, %(margin)s), 4326) AS g FROM env),
pts AS (
  SELECT s.id AS fid, s.id, s.kind, s.category, s.state, s.supervised, s.overdue, s.approximate,
         ST_AsMVTGeom(ST_Transform(s.location, 3857), box.m, %(extent)s, %(buffer)s, true) AS geom
  FROM ({source}) AS s(id, kind, category, state, supervised, overdue, approximate, location), box
  WHERE s.location && box.g
  LIMIT %(limit)s
)
SELECT ST_AsMVT(pts, %(layer)s, %(extent)s, 'geom', 'fid'), count(*) FROM pts
WHERE geom IS NOT NULL
"""

# Points in Web Mercator by arithmetic (incidents_mercator_x/y, migration 0005): the same numbers
# as ST_Transform(…, 3857) at a fraction of the cost per row, which matters when a low-zoom tile
# aggregates hundreds of thousands of matters.
_CLUSTER_SQL = """
WITH env AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS m),
box AS (SELECT m, (ST_XMax(m) - ST_XMin(m)) / %(cells)s AS cell FROM env),
pts AS ({source}),
cells AS (
  SELECT sum(n) AS count,
         coalesce(sum(n) FILTER (WHERE kind = 'dispute'), 0) AS dispute,
         coalesce(sum(n) FILTER (WHERE kind = 'hazard'), 0) AS hazard,
         coalesce(sum(n) FILTER (WHERE kind = 'petition'), 0) AS petition,
         coalesce(sum(n) FILTER (WHERE kind = 'request'), 0) AS request,
         count(*) FILTER (WHERE overdue) AS overdue,
         ST_MakePoint(sum(n * px) / sum(n), sum(n * py) / sum(n)) AS centre
  FROM pts, box
  GROUP BY floor(px / box.cell), floor(py / box.cell)
),
feats AS (
  SELECT count, dispute, hazard, petition, request, overdue,
         ST_AsMVTGeom(ST_SetSRID(centre, 3857), box.m, %(extent)s, %(buffer)s, true) AS geom
  FROM cells, box
)
SELECT ST_AsMVT(feats, %(layer)s, %(extent)s, 'geom'), 0 FROM feats WHERE geom IS NOT NULL
"""


def incident_tile(
    user: object, filters: TileFilters, z: int, x: int, y: int, now: dt.datetime | None = None
) -> bytes:
    """The MVT of tile z/x/y: matters as points from RAW_MIN_ZOOM on, cell aggregates below."""
    now = now or timezone.now()
    named = {
        "z": z,
        "x": x,
        "y": y,
        "extent": EXTENT,
        "buffer": BUFFER,
        "layer": LAYER,
        "cells": CLUSTER_CELLS,
        # Points within the buffer of the neighbouring tiles are drawn too (markers cut at edges).
        "margin": buffer_margin_m(z),
        "limit": RAW_MAX_FEATURES + 1,
        **_Bounds.of_tile(z, x, y).params(),
    }
    if z >= RAW_MIN_ZOOM:
        compiled = _tile_source(filtered_incidents(user, filters, now), now)
        if compiled is None:
            return b""
        body, count = _run(_RAW_SQL, *compiled, named)
        if count <= RAW_MAX_FEATURES:
            return body
    points = _weighted_points(user, filters, z, now)
    return _run(_CLUSTER_SQL, *points, named)[0] if points else b""


def _run(template: str, source: str, source_params: list, named: dict) -> tuple[bytes, int]:
    row = _execute(template, source, source_params, named)[0]
    body = bytes(row[0]) if row and row[0] is not None else b""
    return body, (row[1] if row else 0)


def _execute(template: str, source: str, source_params: list, named: dict) -> list[tuple]:
    # The compiled ORM query uses %s placeholders: the named ones become positional ones too.
    sql, params = _positional(template.format(source=source), named, source_params)
    with transaction.atomic(), connection.cursor() as cursor:
        # A tile's branches take a few milliseconds each; starting parallel workers for them
        # (the planner's choice once the tally and the open matters are appended) costs more.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _positional(template: str, named: dict, source_params: list) -> tuple[str, list]:
    """Replace ``%(name)s`` with ``%s`` in order, the source's own ``%s`` taking its params."""
    params: list = []
    filled = iter(source_params)

    def swap(match: re.Match) -> str:
        params.append(named[match.group(1)] if match.group(1) else next(filled))
        return "%s"

    return re.sub(r"%\((\w+)\)s|%s", swap, template), params


def tile_version(user: object, filters: TileFilters, z: int, x: int, y: int) -> str:
    """An ETag seed: what the tile depends on (user scope, filters, tile, data version)."""
    with connection.cursor() as cursor:
        # The newest change to any matter and the newest id: two index look-ups; they change with
        # every intake and every workflow step (updated_at is auto_now; matters are not deleted).
        cursor.execute("SELECT max(updated_at), max(id) FROM incidents_incident")
        newest, count = cursor.fetchone()
    jurisdiction = user_area(user)  # without its outline, which a plain FK access would load
    area = jurisdiction.code if jurisdiction is not None else ""
    minute = timezone.now().replace(second=0, microsecond=0)  # overdue marks move with time
    seed = f"{user.pk}|{area}|{filters.key()}|{z}/{x}/{y}|{newest}|{count}|{minute:%Y%m%d%H%M}"
    return hashlib.sha1(seed.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class HeatCell:
    lat: float
    lon: float
    count: int


_HEAT_SQL = """
WITH pts AS ({source}),
cells AS (
  SELECT sum(n) AS count, sum(n * px) / sum(n) AS x, sum(n * py) / sum(n) AS y
  FROM pts GROUP BY floor(px / %(cell)s), floor(py / %(cell)s)
)
SELECT ST_Y(g), ST_X(g), count FROM (
  SELECT ST_Transform(ST_SetSRID(ST_MakePoint(x, y), 3857), 4326) AS g, count FROM cells
  ORDER BY count DESC LIMIT %(limit)s
) AS c
"""


def heat_cells(
    user: object,
    filters: TileFilters,
    bbox: tuple[float, float, float, float],
    zoom: int,
    now: dt.datetime | None = None,
) -> list[HeatCell]:
    """Matter counts per square cell of HEAT_CELL_PX screen pixels at ``zoom`` inside ``bbox``.

    The density is aggregated here, so the browser's heat layer draws at most HEAT_MAX_CELLS
    weighted points whatever the number of matters.
    """
    points = _weighted_points(user, filters, zoom, now or timezone.now())
    if points is None:
        return []
    west, south, east, north = bbox
    cell = WORLD_M / (256 * 2**zoom) * HEAT_CELL_PX
    named = {**_Bounds(west, south, east, north).params(), "cell": cell, "limit": HEAT_MAX_CELLS}
    rows = _execute(_HEAT_SQL, *points, named)
    return [HeatCell(lat, lon, int(count)) for lat, lon, count in rows]
