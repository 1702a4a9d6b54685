"""The early-warning layer's API (GET /api/analytics/forecast): a stored outlook's flagged cells.

Read-only and scoped: the cells of the asked area (default: the user's jurisdiction) only, from
the outlook stored for it or for the closest area above it. Administrators, dispatchers and
leadership, like the other analytics layers. Nothing is fitted here (docs/forecasting.md).
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.choices import Role
from analytics.forecasting.labels import (
    DRIVER_LABELS,
    GROUP_LABELS,
    MODEL_LABELS,
    label,
    skill_text,
)
from analytics.forecasting.reads import cells_in, outlook_for
from analytics.forecasting.records import StoredOutlook
from analytics.forecasting.yardsticks import SKILL_SHARE
from analytics.periods import PeriodError, parse_period
from gridmap.models import Area
from gridmap.scoping import can_see_area, user_area

FORECAST_ROLES = {Role.COUNTY_ADMIN, Role.DISPATCHER, Role.LEADERSHIP}


def _refused(status: int, detail: str) -> Response:
    return Response({"detail": detail}, status=status)


def _outlook(stored: StoredOutlook, area: Area) -> dict:
    """What the legend shows: the month, the model and its measured skill at 5 % of the area."""
    return {
        "id": stored.pk,
        "area": area.code,
        "forecast_area": stored.area.code,
        "month": stored.month.strftime("%Y-%m"),
        "model": stored.model,
        "model_label": label(MODEL_LABELS, stored.model),
        "share": stored.share,
        "flagged_share": stored.flagged_share,
        "pai_share": SKILL_SHARE,  # the PAI is measured flagging this share, whatever "share"
        "pai": stored.pai,
        "pai_low": stored.pai_low,
        "pai_high": stored.pai_high,
        "baseline": stored.baseline,
        "baseline_label": label(MODEL_LABELS, stored.baseline),
        "baseline_pai": stored.baseline_pai,
        "backtest_months": stored.backtest_periods,
        "skill": stored.has_skill,
        "verdict": _(stored.verdict),
        "skill_text": skill_text(stored),
    }


@extend_schema(
    parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, description="area code (default: jurisdiction)"),
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: latest stored)"),
    ],
    responses={
        200: OpenApiTypes.OBJECT,
        400: OpenApiTypes.OBJECT,
        403: OpenApiTypes.OBJECT,
        404: OpenApiTypes.OBJECT,
    },
)
@api_view(["GET"])
def forecast_layer(request: Request) -> Response:
    """The flagged cells of the stored outlook in an area, as GeoJSON, with the model's skill."""
    user = request.user
    if getattr(user, "role", "") not in FORECAST_ROLES or user_area(user) is None:
        return _refused(
            403, _("The early warning is for administrators, dispatchers and leadership.")
        )
    code = request.query_params.get("area") or user_area(user).code
    area = Area.objects.current().without_shapes().filter(code=code).first()
    if area is None or not can_see_area(user, area):
        return _refused(400, _("area: no area %(code)s in your jurisdiction.") % {"code": code})
    month = None
    if request.query_params.get("month"):
        try:
            period = parse_period(request.query_params["month"])
        except PeriodError as error:
            return _refused(400, f"month: {error}")
        if period.kind != "month":
            return _refused(400, _("month: give a month, e.g. 2026-11."))
        month = period.start
    stored = outlook_for(area, month)
    if stored is None:
        return _refused(
            404, _("No early warning is stored for %(area)s yet.") % {"area": area.name}
        )
    cells = cells_in(stored, area).only(
        "rank", "expected", "score", "probability", "groups", "drivers",
        "grid__code", "grid__name", "grid__display_boundary", "grid__parent__name",
    )  # fmt: skip
    return Response(
        {
            "type": "FeatureCollection",
            "outlook": _outlook(stored, area),
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(cell.grid.display_boundary.geojson),
                    "properties": {
                        "rank": cell.rank,
                        "key": cell.grid.code,
                        "name": cell.grid.name,
                        "village": cell.grid.parent.name,
                        "expected": round(cell.expected, 3),
                        "score": round(cell.score, 3),
                        "probability": round(cell.probability, 3),
                        "groups": [label(GROUP_LABELS, g) for g, *_rest in cell.groups],
                        "drivers": [label(DRIVER_LABELS, d) for d in cell.drivers],
                    },
                }
                for cell in cells
            ],
        }
    )
