"""GET /api/map/context: what the small maps draw under their data (roads.context).

Signed-in users only, cut to their jurisdiction: a view that shows nothing of it is a 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.api import BBoxFilter, DetailSerializer
from gridmap.scoping import user_area
from roads.context import map_context


class MapContextView(APIView):
    """Village and grid boundaries with names, and the active network's roads, around a view."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "bbox",
                OpenApiTypes.STR,
                required=True,
                description="min_lon,min_lat,max_lon,max_lat (WGS84) of the map's view",
            ),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            400: OpenApiResponse(DetailSerializer, description="no or a bad bbox"),
            404: OpenApiResponse(DetailSerializer, description="the view misses the jurisdiction"),
        },
    )
    def get(self, request: Request) -> Response:
        bbox = BBoxFilter().get_filter_bbox(request)
        if bbox is None:
            return Response({"detail": _("bbox is required.")}, status=400)
        area = user_area(request.user)
        context = map_context(area=area, bbox=bbox) if area is not None else None
        if context is None:
            return Response({"detail": _("This view shows nothing of your jurisdiction.")}, 404)
        return Response(
            {
                "areas": {"type": "FeatureCollection", "features": context.areas},
                "roads": {"type": "FeatureCollection", "features": context.roads},
                "network": context.network,
                "detail": context.detail,
                "complete": context.complete,
            }
        )
