"""Routing API (under /api/routing/): isochrones from a point, for staff with a jurisdiction."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gridmap.api import DetailSerializer
from gridmap.coords import CoordinateError, InputCRS, parse_point
from gridmap.scoping import far_point_message, user_area
from roads.choices import TravelMode
from roads.isochrones import ISOCHRONE_BUFFER_M, MAX_MINUTES, isochrones
from roads.queries import active_network

# The roles that plan with reach: dispatchers and county administrators (the console), the
# leadership (the service circle). roads sits below accounts in the layering, so it names the
# stored role values (accounts.choices.Role; tests/roads/test_isochrone_api.py keeps them equal).
ROUTING_ROLES = frozenset({"county_admin", "dispatcher", "leadership"})
DEFAULT_MINUTES = (5, 10, 15)
ISOCHRONE_METHOD = "road-buffer"


class RoutingStaff(BasePermission):
    """Signed-in staff of the routing roles with a jurisdiction."""

    message = _("Reach on the road network is for dispatchers, administrators and leadership.")

    def has_permission(self, request: Request, view: object) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and getattr(user, "role", "") in ROUTING_ROLES
            and user_area(user) is not None
        )


def parse_minutes(raw: str | None) -> list[int]:
    """``5,10,15`` → [5, 10, 15]: whole minutes in 1..MAX_MINUTES, at most six cut-offs."""
    if raw in (None, ""):
        return list(DEFAULT_MINUTES)
    try:
        values = sorted({int(part) for part in raw.split(",")})
    except ValueError:
        raise ValueError(
            _("minutes must be whole numbers separated by commas, e.g. 5,10,15.")
        ) from None
    if not values or len(values) > 6 or values[0] < 1 or values[-1] > MAX_MINUTES:
        raise ValueError(
            _("minutes must be one to six whole numbers from 1 to %(max)d.") % {"max": MAX_MINUTES}
        )
    return values


def parse_mode(raw: str | None, default: str) -> str:
    """A travel mode from the fixed list (walk, bike, car)."""
    value = raw or default
    if value not in TravelMode.values:
        raise ValueError(
            _("mode must be one of %(modes)s.") % {"modes": ", ".join(TravelMode.values)}
        )
    return value


class IsochroneFeatureSerializer(serializers.Serializer):
    type = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="MultiPolygon/Polygon, WGS84")
    properties = serializers.DictField(
        help_text="minutes, mode, area_km2, method (road-buffer), buffer_m"
    )


class IsochroneCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="FeatureCollection")
    features = IsochroneFeatureSerializer(many=True)
    network = serializers.DictField(allow_null=True, help_text="id, name, synthetic")
    reason = serializers.CharField(required=False, help_text="why nothing is reached")


class IsochroneView(APIView):
    """Areas reachable from a point within each cut-off, by road (one polygon per cut-off)."""

    permission_classes = [RoutingStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="longitude"),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="latitude"),
            OpenApiParameter(
                "minutes",
                OpenApiTypes.STR,
                description=f"cut-offs in minutes, comma-separated, 1..{MAX_MINUTES} "
                "(default 5,10,15)",
            ),
            OpenApiParameter(
                "mode", OpenApiTypes.STR, enum=TravelMode.values, description="default car"
            ),
            OpenApiParameter(
                "crs", OpenApiTypes.STR, enum=InputCRS.values, description="datum of lon/lat"
            ),
        ],
        responses={
            200: IsochroneCollectionSerializer,
            400: OpenApiResponse(DetailSerializer, description="bad input or a far point"),
            403: OpenApiResponse(DetailSerializer, description="not a routing role"),
            404: OpenApiResponse(DetailSerializer, description="no road network is loaded"),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            point = parse_point(params.get("lon"), params.get("lat"), params.get("crs"))
            minutes = parse_minutes(params.get("minutes"))
            mode = parse_mode(params.get("mode"), TravelMode.CAR)
        except CoordinateError as error:
            return Response({"detail": error.message, "field": error.field}, status=400)
        except ValueError as error:
            return Response({"detail": str(error)}, status=400)
        far = far_point_message(request.user, [(point.lon, point.lat)])
        if far:
            return Response({"detail": far, "field": "lon"}, status=400)
        network = active_network()
        if network is None:
            return Response(
                {"detail": _("No road network is loaded: import roads with import_roads.")},
                status=404,
            )
        shapes = isochrones(
            network=network, lon=point.lon, lat=point.lat, minutes=minutes, mode=mode
        )
        body = {
            "type": "FeatureCollection",
            "network": {"id": network.pk, "name": network.name, "synthetic": network.synthetic},
            "features": [
                {
                    "type": "Feature",
                    "geometry": shape.geometry,
                    "properties": {
                        "minutes": shape.minutes,
                        "mode": shape.mode,
                        "area_km2": shape.area_km2,
                        "method": ISOCHRONE_METHOD,
                        "buffer_m": ISOCHRONE_BUFFER_M,
                    },
                }
                for shape in shapes
            ],
        }
        if all(shape.geometry is None for shape in shapes):
            body["reason"] = _("No road the mode may use is within reach of this point.")
        return Response(body)
