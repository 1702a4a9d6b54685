"""Analytics API (under /api/analytics/): heatmap layer and stored hot-spot runs, scoped."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.forms import HeatmapForm
from analytics.models import HotspotRun
from analytics.periods import default_period
from analytics.queries import MatterFilter, matter_points, matters
from config.http import input_error_response
from gridmap.scoping import can_see_area
from incidents.queries import visible_incidents


# Hand-built GeoJSON, no serializer: say so, or drf-spectacular warns (drf_spectacular.W002)
# and `check --deploy --fail-level WARNING` fails.
@extend_schema(responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
@api_view(["GET"])
def heatmap(request: Request) -> Response | HttpResponse:
    """Kernel density of the user's visible matters for an area, period, kind and category
    (``include_imported=0`` leaves out the matters imported from past ledgers).

    ``output=geojson`` (default): cell centres with ``density`` (matters/km²); ``output=png``: a
    transparent image for ``L.imageOverlay``, its WGS84 bounds in the ``X-Bounds`` header.
    """
    data = request.query_params.copy()
    data.setdefault("period", default_period(timezone.localdate()).label)
    form = HeatmapForm(data, user=request.user)
    if not form.is_valid():
        return input_error_response(
            {name: list(messages) for name, messages in form.errors.items()}
        )
    area, period = form.cleaned_data["area"], form.cleaned_data["period"]
    flt = MatterFilter(
        area=area,
        start=period.start,
        end=period.end,
        kind=form.cleaned_data.get("kind") or "",
        category=form.cleaned_data.get("category") or "",
        include_imported=form.cleaned_data["include_imported"],
    )
    from analytics.heatmap import density_features, density_png, kde  # numpy/PIL: not at start-up

    density = kde(
        matter_points(matters(flt, visible_incidents(request.user))), area.boundary.extent
    )
    if form.cleaned_data.get("output") == "png":
        png, bounds = density_png(density)
        response = HttpResponse(png, content_type="image/png")
        response["X-Bounds"] = json.dumps(bounds)
        return response
    return Response(
        {
            "type": "FeatureCollection",
            "area": area.code,
            "period": period.label,
            "count": density.count,
            "max_density": density.maximum,
            "cell_m": density.cell_m,
            "features": density_features(density),
        }
    )


@extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
@api_view(["GET"])
def hotspot_run(request: Request, pk: int) -> Response:
    """A stored hot-spot run as GeoJSON (one feature per unit), for the operations map.

    Runs of areas outside the user's jurisdiction answer 404, like runs that do not exist.
    """
    run = HotspotRun.objects.select_related("area").filter(pk=pk).first()
    if run is None or not can_see_area(request.user, run.area):
        return Response({"detail": "not found"}, status=404)
    cells = run.cells.all()
    if request.query_params.get("significant"):
        cells = cells.exclude(gi_bin=0)
    return Response(
        {
            "type": "FeatureCollection",
            "run": {
                "id": run.pk,
                "area": run.area.code,
                "unit": run.unit,
                "period": run.period_label,
                "filters": run.filters,
                "parameters": run.parameters,
            },
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(cell.geometry.geojson),
                    "properties": {
                        "key": cell.key,
                        "name": cell.name,
                        "count": cell.count,
                        "rate": cell.rate,
                        "z": cell.z,
                        "p": cell.p,
                        "gi_bin": cell.gi_bin,
                        "trend": cell.trend,
                    },
                }
                for cell in cells
            ],
        }
    )
