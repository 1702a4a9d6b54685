"""Service-circle API (under /api/analytics/coverage): shares, uncovered cells, next sites."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.choices import Role
from analytics.coverage.reach import DEFAULT_MINUTES, DEFAULT_MODE, METHOD
from analytics.coverage.report import Coverage, coverage
from gridmap.models import Area
from gridmap.scoping import can_see_area, user_area
from roads.api import parse_mode
from roads.choices import TravelMode
from roads.isochrones import MAX_MINUTES

COVERAGE_ROLES = {Role.COUNTY_ADMIN, Role.DISPATCHER, Role.LEADERSHIP}
MAX_SUGGEST = 10

PARAMETERS = [
    OpenApiParameter("area", OpenApiTypes.STR, description="area code (default: jurisdiction)"),
    OpenApiParameter(
        "minutes", OpenApiTypes.INT, description=f"1..{MAX_MINUTES}, default {DEFAULT_MINUTES}"
    ),
    OpenApiParameter(
        "mode", OpenApiTypes.STR, enum=TravelMode.values, description=f"default {DEFAULT_MODE}"
    ),
]


class _RefusedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.response = Response({"detail": detail}, status=status)


def _parse(request: Request) -> tuple[Area, str, int, int]:
    user = request.user
    if getattr(user, "role", "") not in COVERAGE_ROLES or user_area(user) is None:
        raise _RefusedError(
            403, _("The service circle is for administrators, dispatchers and leadership.")
        )
    params = request.query_params
    code = params.get("area") or user_area(user).code
    area = Area.objects.current().filter(code=code).first()
    if area is None or not can_see_area(user, area):
        raise _RefusedError(400, _("area: no area %(code)s in your jurisdiction.") % {"code": code})
    try:
        minutes = int(params.get("minutes") or DEFAULT_MINUTES)
        suggest = int(params.get("suggest") or 0)
    except ValueError:
        raise _RefusedError(400, _("minutes and suggest must be whole numbers.")) from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise _RefusedError(400, _("minutes must be from 1 to %(max)d.") % {"max": MAX_MINUTES})
    if not 0 <= suggest <= MAX_SUGGEST:
        raise _RefusedError(400, _("suggest must be from 0 to %(max)d.") % {"max": MAX_SUGGEST})
    try:
        mode = parse_mode(params.get("mode"), DEFAULT_MODE)
    except ValueError as error:
        raise _RefusedError(400, str(error)) from None
    return area, mode, minutes, suggest


def _compute(request: Request, *, suggest: bool) -> Coverage:
    area, mode, minutes, count = _parse(request)
    result = coverage(area, mode=mode, minutes=minutes, suggest=count if suggest else 0)
    if result is None:
        raise _RefusedError(404, _("No road network is loaded: import roads with import_roads."))
    return result


def _header(result: Coverage) -> dict:
    network = result.demand.network
    return {
        "area": {"code": result.area.code, "name": result.area.name, "level": result.area.level},
        "mode": result.mode,
        "minutes": result.minutes,
        "method": METHOD,
        "network": {"id": network.pk, "name": network.name, "synthetic": network.synthetic},
        "service_points": result.service_points,
    }


@extend_schema(
    parameters=[
        *PARAMETERS,
        OpenApiParameter(
            "suggest", OpenApiTypes.INT, description=f"best new sites, 0..{MAX_SUGGEST}"
        ),
    ],
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def coverage_view(request: Request) -> Response:
    """Residents within reach of a service point: per child area, in all, and the best new
    sites among village centres with the residents each adds (greedy maximal covering)."""
    try:
        result = _compute(request, suggest=True)
    except _RefusedError as refused:
        return refused.response
    return Response(
        {
            **_header(result),
            "total": result.total.as_dict(),
            "areas": [row.as_dict() for row in result.rows],
            "cells_without_population": result.cells_without_population,
            "suggestions": [s.as_dict() for s in result.suggestions],
        }
    )


@extend_schema(
    parameters=PARAMETERS,
    responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def coverage_gaps(request: Request) -> Response:
    """The grid cells with residents out of reach, as GeoJSON (the map's gap layer)."""
    try:
        result = _compute(request, suggest=False)
    except _RefusedError as refused:
        return refused.response
    cells = result.demand.cells
    gaps = {
        pk: share for pk, share in result.shares.items() if share < 0.999 and cells[pk].population
    }
    shapes = dict(Area.objects.filter(pk__in=gaps).values_list("pk", "display_boundary"))
    features = []
    for pk, share in sorted(gaps.items(), key=lambda item: cells[item[0]].code):
        cell = cells[pk]
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapes[pk].geojson),
                "properties": {
                    "code": cell.code,
                    "name": cell.name,
                    "population": cell.population,
                    "uncovered": round(cell.population * (1 - share)),
                    "share": round(share, 4),
                    "no_road": cell.road_m == 0,
                },
            }
        )
    return Response({"type": "FeatureCollection", **_header(result), "features": features})
