"""The count cube a forecast learns from: periods × cells × category groups, from one query.

``History`` is plain arrays, so the models, the backtest and the benchmark can run on generated
data without a database; ``load_history`` fills it from the matters of an area's grid cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import h3
import numpy as np
from django.contrib.gis.db.models.functions import Area as AreaOf
from django.contrib.gis.db.models.functions import Centroid, Transform
from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _
from pyproj import Transformer
from scipy import sparse

from analytics.forecasting.groups import GROUP_CODES, group_index
from analytics.hotspots import Units, grid_units, h3_units
from analytics.periods import add_months
from analytics.queries import METRIC_SRID, MatterFilter, Points, matters
from gridmap.models import Area

MONTH = "month"
WEEK = "week"
STEPS = (MONTH, WEEK)
# How far back a forecast looks by default: three years of months, a year of weeks.
DEFAULT_SPAN = {MONTH: 36, WEEK: 52}
_TO_METRIC = Transformer.from_crs(4326, METRIC_SRID, always_xy=True)


class ForecastInputError(ValueError):
    """An area, period or model a forecast cannot be made for (the message says why)."""


def step_start(day: dt.date, step: str, offset: int = 0) -> dt.date:
    """The start of the period ``offset`` steps from the one holding ``day``."""
    if step == MONTH:
        return add_months(day.replace(day=1), offset)
    monday = day - dt.timedelta(days=day.weekday())
    return monday + dt.timedelta(weeks=offset)


def season_of(day: dt.date, step: str) -> float:
    """Where in the year a period starts, as a fraction of the year (0 = January, 1 January)."""
    if step == MONTH:
        return (day.month - 1) / 12
    return (day.timetuple().tm_yday - 1) / 365.25


@dataclass
class History:
    """Counts per period (oldest first), cell and group, and what the cells are."""

    counts: np.ndarray  # periods × cells × groups, integers
    starts: list[dt.date]  # start of each period
    step: str  # MONTH or WEEK
    keys: list[str]  # cell codes (grid codes or H3 indexes)
    names: list[str]  # "village · cell"
    villages: list[str]
    area_m2: np.ndarray  # cell areas, m²
    xy: np.ndarray  # cell centroids, cells × 2, metres (EPSG:4544)
    adjacency: sparse.csr_matrix  # the contiguity the hot spots use, no self-links
    groups: tuple[str, ...] = GROUP_CODES

    @property
    def periods(self) -> int:
        return self.counts.shape[0]

    @property
    def cells(self) -> int:
        return self.counts.shape[1]

    def next_start(self) -> dt.date:
        """The start of the period right after the history."""
        return step_start(self.starts[-1], self.step, 1)

    def before(self, t: int) -> History:
        """The history of the first ``t`` periods (what was known when period ``t`` began)."""
        return replace(self, counts=self.counts[:t], starts=self.starts[:t])


def load_history(
    area: Area,
    *,
    end: dt.date,
    step: str = MONTH,
    span: int | None = None,
    h3_resolution: int | None = None,
) -> History:
    """Counts of ``area``'s grid cells (or H3 cells) for the ``span`` periods before ``end``'s.

    Leading periods before the first matter are dropped, so a short record is not read as quiet
    months. Cells are the grid cells in force, neighbours by queen contiguity as for hot spots;
    with ``h3_resolution``, the H3 cells of the area and their ring-1 neighbours instead.
    """
    if step not in STEPS:
        raise ForecastInputError(_("A forecast is by month or by week."))
    span = span or DEFAULT_SPAN[step]
    last = step_start(end, step)
    starts = [step_start(last, step, offset) for offset in range(-span, 0)]
    if h3_resolution is not None:
        return _h3_history(area, starts, last, step, h3_resolution)
    units = grid_units(area)
    if not len(units):
        raise ForecastInputError(_("%(code)s has no grid cells.") % {"code": area.code})
    counts = np.zeros((span, len(units), len(GROUP_CODES)), dtype=np.int64)
    position = {area_id: i for i, area_id in enumerate(units.area_ids)}
    period_index = {start: t for t, start in enumerate(starts)}
    # The one query of the cube: matters per grid cell, category and period.
    rows = _period_rows(area, starts, last, step, "grid_id").annotate(n=Count("id"))
    for grid_id, code, kind, period, n in rows:
        t = period_index.get(period.date())
        cell = position.get(grid_id)
        if t is not None and cell is not None:  # a matter of a superseded cell is left out
            counts[t, cell, group_index(code, kind)] += n
    area_m2, xy, villages = _cell_shapes(units.area_ids)
    return _trimmed(units, counts, starts, step, area_m2=area_m2, xy=xy, villages=villages)


def _period_rows(area: Area, starts: list[dt.date], last: dt.date, step: str, where: str):
    """(``where``, category code, kind, period) of the area's matters in [starts[0], last)."""
    trunc = TruncMonth if step == MONTH else TruncWeek
    return (
        matters(MatterFilter(area=area, start=starts[0], end=last))
        .annotate(period=trunc("received_at"))
        .values_list(where, "category__code", "category__kind", "period")
    )


def _trimmed(
    units: Units,
    counts: np.ndarray,
    starts: list[dt.date],
    step: str,
    *,
    area_m2: np.ndarray,
    xy: np.ndarray,
    villages: list[str],
) -> History:
    """The history from its first period with a matter (the last period if there is none)."""
    active = np.flatnonzero(counts.sum(axis=(1, 2)))
    first = int(active[0]) if len(active) else len(starts) - 1
    return History(
        counts=counts[first:],
        starts=starts[first:],
        step=step,
        keys=units.keys,
        names=units.names,
        villages=villages,
        area_m2=area_m2,
        xy=xy,
        adjacency=units.adjacency,
    )


def _h3_history(
    area: Area, starts: list[dt.date], last: dt.date, step: str, resolution: int
) -> History:
    """The count cube on the H3 cells of ``area`` at ``resolution`` (matters' first points)."""
    rows = list(_period_rows(area, starts, last, step, "location"))
    lon = np.array([row[0].x for row in rows], dtype=float)
    lat = np.array([row[0].y for row in rows], dtype=float)
    ids = np.zeros(len(rows), dtype=int)
    # Hexagons centred outside the area still count the area's matters that fall in them.
    units = h3_units(area, resolution, extra=Points(lon, lat, ids, ids))
    position = {key: i for i, key in enumerate(units.keys)}
    period_index = {start: t for t, start in enumerate(starts)}
    counts = np.zeros((len(starts), len(units), len(GROUP_CODES)), dtype=np.int64)
    for point, code, kind, period in rows:
        t = period_index.get(period.date())
        if t is not None:
            cell = position[h3.latlng_to_cell(point.y, point.x, resolution)]
            counts[t, cell, group_index(code, kind)] += 1
    centres = np.array([h3.cell_to_latlng(key) for key in units.keys], dtype=float)
    x, y = _TO_METRIC.transform(centres[:, 1], centres[:, 0])
    area_m2 = np.array([h3.cell_area(key, unit="m^2") for key in units.keys])
    xy = np.column_stack([x, y])
    return _trimmed(units, counts, starts, step, area_m2=area_m2, xy=xy, villages=[""] * len(units))


def _cell_shapes(area_ids: list[int | None]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Area (m²), metric centroid and village name of each grid cell, in the given order."""
    metric = Transform("boundary", METRIC_SRID)
    rows = {
        row["pk"]: row
        for row in Area.objects.filter(pk__in=area_ids)
        .annotate(m2=AreaOf(metric), centre=Centroid(metric))
        .values("pk", "m2", "centre", "parent__name")
    }
    ordered = [rows[pk] for pk in area_ids]
    area_m2 = np.array([row["m2"].sq_m for row in ordered], dtype=float)
    xy = np.array([(row["centre"].x, row["centre"].y) for row in ordered], dtype=float)
    return area_m2, xy.reshape(-1, 2), [row["parent__name"] or "" for row in ordered]
