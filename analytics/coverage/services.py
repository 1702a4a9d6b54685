"""Write paths of service points: an import (all or nothing) and the demo's derived points."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from analytics.coverage.io import KIND_NAMES, PointRow
from analytics.coverage.models import ServicePoint
from gridmap.models import Area
from gridmap.queries import beyond_reach, locate, nearest_grid
from incidents.models import HandlingUnit


class ServicePointImportError(ValueError):
    """Rows that cannot be imported; ``messages`` names each one. Nothing was written."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class PointImportResult:
    created: int
    replaced: int
    dry_run: bool


class _DryRunError(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_service_points(
    *,
    rows: Sequence[PointRow],
    source: str,
    replace: bool = False,
    dry_run: bool = False,
    progress: bool = False,
) -> PointImportResult:
    """Create a service point per row, each tied to the grid cell it lies in (or the nearest one
    within POINT_MARGIN_KM); one bad row and nothing is written. With ``replace`` the points of
    an earlier import of the same ``source`` go first."""
    units = dict(HandlingUnit.objects.values_list("code", "pk"))
    errors = [message for row in rows for message in _row_errors(row, units)]
    if errors:
        raise ServicePointImportError(errors)
    try:
        with transaction.atomic():
            replaced = 0
            if replace:
                replaced, _by_model = ServicePoint.objects.filter(source=source).delete()
            points = []
            for row in tqdm(
                rows, desc=_("Service points"), unit="point", file=sys.stderr, disable=not progress
            ):
                points.append(
                    ServicePoint(
                        name=row.name[:200],
                        kind=KIND_NAMES[row.kind.lower()],
                        point=Point(row.lon, row.lat, srid=4326),
                        area=_grid_of(row.lon, row.lat),
                        handling_unit_id=units.get(row.unit),
                        active=row.active,
                        source=source[:500],
                    )
                )
            ServicePoint.objects.bulk_create(points)
            result = PointImportResult(created=len(points), replaced=replaced, dry_run=dry_run)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return result


def _row_errors(row: PointRow, units: dict[str, int]) -> list[str]:
    """What is wrong with one row, one message each."""
    errors = []
    if not row.name:
        errors.append(_("Row %(row)d: no name.") % {"row": row.row})
    if KIND_NAMES.get(row.kind.lower()) is None:
        errors.append(
            _("Row %(row)d: unknown kind %(kind)r (room, window, mediator, other).")
            % {"row": row.row, "kind": row.kind}
        )
    if row.lon is None:
        errors.append(_("Row %(row)d: no point geometry or lon/lat.") % {"row": row.row})
    elif beyond_reach([(row.lon, row.lat)], area_id=None, margin_m=settings.POINT_MARGIN_KM * 1000):
        errors.append(
            _("Row %(row)d: %(lon).5f, %(lat).5f is far from every county.")
            % {"row": row.row, "lon": row.lon, "lat": row.lat}
        )
    if row.unit and row.unit not in units:
        errors.append(
            _("Row %(row)d: no handling unit with code %(unit)r.")
            % {"row": row.row, "unit": row.unit}
        )
    return errors


def _grid_of(lon: float, lat: float) -> Area:
    """The grid cell a point lies in, or the nearest one (a point just outside the county)."""
    found = locate(lon, lat)
    code = found.grid.code if found else nearest_grid(lon, lat).grid.code
    return Area.objects.without_shapes().get(code=code)


@dataclass(frozen=True)
class DemoPoints:
    rooms: int
    windows: int
    mediators: int


def derive_demo_service_points() -> DemoPoints:
    """The demo county's service points, marked synthetic, from what the demo already has: each
    county or township center's mediation room and each village center's stationed window at the
    area's label point, each mediator's home base (its base, else its last position, else its
    home area's label point). Replaces the synthetic points of an earlier run."""
    from gridmap.choices import AreaLevel
    from incidents.choices import UnitKind
    from volunteers.choices import ResponderKind
    from volunteers.models import Responder

    with transaction.atomic():
        ServicePoint.objects.filter(synthetic=True).delete()
        points: list[ServicePoint] = []
        centers = HandlingUnit.objects.filter(kind=UnitKind.CENTER, active=True).select_related(
            "area"
        )
        counts = {"room": 0, "window": 0, "mediator": 0}
        for unit in centers:
            kind = "window" if unit.area.level == AreaLevel.VILLAGE else "room"
            if unit.area.level == AreaLevel.GRID:
                continue
            counts[kind] += 1
            label = unit.area.label_point
            points.append(
                ServicePoint(
                    name=unit.name,
                    kind=kind,
                    point=label,
                    area=_grid_of(label.x, label.y),
                    handling_unit=unit,
                    synthetic=True,
                )
            )
        mediators = Responder.objects.filter(kind=ResponderKind.MEDIATOR).select_related(
            "home_area"
        )
        for responder in mediators:
            where = responder.base or responder.position or responder.home_area.label_point
            counts["mediator"] += 1
            points.append(
                ServicePoint(
                    name=responder.name,
                    kind="mediator",
                    point=Point(where.x, where.y, srid=4326),
                    area=_grid_of(where.x, where.y),
                    responder=responder,
                    synthetic=True,
                )
            )
        ServicePoint.objects.bulk_create(points)
    return DemoPoints(rooms=counts["room"], windows=counts["window"], mediators=counts["mediator"])
