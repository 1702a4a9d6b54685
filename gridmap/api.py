"""Public, read-only API of the grid network (residents look up their grid and its leader)."""

from __future__ import annotations

import math

import django_filters
from django.contrib.gis.geos import Polygon
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.pagination import GeoJsonPagination
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gridmap import queries
from gridmap.choices import AREA_ATTRIBUTES, AreaLevel
from gridmap.coords import CoordinateError, InputCRS, parse_point
from gridmap.models import Area, GridWorker
from gridmap.scoping import scope
from gridmap.throttling import ClientRateThrottle


class JSONOnly(BaseContentNegotiation):
    """Always JSON: skips matching Accept headers on the hottest public endpoint."""

    def select_parser(self, request: Request, parsers: list) -> object:
        return parsers[0]

    def select_renderer(self, request: Request, renderers: list, format_suffix=None) -> tuple:
        return (renderers[0], renderers[0].media_type)


class NumberField(serializers.FloatField):
    """A float that refuses JSON true/false (DRF's FloatField reads them as 1.0 and 0.0)."""

    def to_internal_value(self, data: object) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class PublicReadOnly:
    """No authentication round trip, no permission check: public reference data."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


# --- locate -----------------------------------------------------------------------------------


class AreaRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=AreaLevel.choices)


class LeaderSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    lon = serializers.FloatField(help_text="WGS84 longitude used for the lookup")
    lat = serializers.FloatField(help_text="WGS84 latitude used for the lookup")
    grid = AreaRefSerializer()
    village = AreaRefSerializer()
    township = AreaRefSerializer()
    county = AreaRefSerializer()
    leader = LeaderSerializer(allow_null=True)
    synthetic = serializers.BooleanField(help_text="True when the boundaries are demo data")


class NotLocatedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    nearest_grid = AreaRefSerializer(allow_null=True)
    distance_m = serializers.FloatField(allow_null=True)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class FieldErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # Absent when the request is refused before the view reads a parameter (a NUL byte in the
    # address, config.http), so not required.
    field = serializers.CharField(required=False)


# Rendered by Django rather than DRF's renderer: the same bytes as DRF's JSONRenderer, with
# less work on the busiest public endpoint.
_COMPACT_JSON = {"ensure_ascii": False, "separators": (",", ":")}


class LocateView(PublicReadOnly, APIView):
    """Which grid cell, village, township and county a point lies in, and who its leader is."""

    content_negotiation_class = JSONOnly
    # Public, and it names grid leaders and their phones: per client, at most
    # LOCATE_THROTTLE_RATE requests (docs/security/input-and-leaks.md).
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "locate"

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True, description="longitude"),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="latitude"),
            OpenApiParameter(
                "crs",
                OpenApiTypes.STR,
                enum=InputCRS.values,
                description="datum of lon/lat: wgs84 (GPS, default), gcj02 (Amap/Tencent/WeChat) "
                "or bd09 (Baidu); converted to WGS84 before the lookup",
            ),
        ],
        responses={
            200: LocationSerializer,
            400: OpenApiResponse(FieldErrorSerializer, description="invalid or swapped input"),
            404: OpenApiResponse(NotLocatedSerializer, description="outside every grid cell"),
            429: OpenApiResponse(
                DetailSerializer, description="too many lookups from this client: see Retry-After"
            ),
        },
    )
    def get(self, request: Request) -> JsonResponse:
        params = request.query_params
        try:
            point = parse_point(params.get("lon"), params.get("lat"), params.get("crs"))
        except CoordinateError as error:
            return JsonResponse(
                {"detail": error.message, "field": error.field},
                status=400,
                json_dumps_params=_COMPACT_JSON,
            )
        location = queries.locate(point.lon, point.lat)
        if location is None:
            nearest = queries.nearest_grid(point.lon, point.lat)
            return JsonResponse(
                {
                    "detail": _("The point is outside every grid cell."),
                    "lon": point.lon,
                    "lat": point.lat,
                    "nearest_grid": nearest.grid.as_dict() if nearest else None,
                    "distance_m": round(nearest.distance_m, 1) if nearest else None,
                },
                status=404,
                json_dumps_params=_COMPACT_JSON,
            )
        return JsonResponse(
            {
                "lon": point.lon,
                "lat": point.lat,
                "grid": location.grid.as_dict(),
                "village": location.village.as_dict(),
                "township": location.township.as_dict(),
                "county": location.county.as_dict(),
                "leader": (
                    {"name": location.leader.name, "phone": location.leader.phone}
                    if location.leader
                    else None
                ),
                "synthetic": location.synthetic,
            },
            json_dumps_params=_COMPACT_JSON,
        )


# --- areas ------------------------------------------------------------------------------------


class AreaFeatureSerializer(GeoFeatureModelSerializer):
    parent_code = serializers.CharField(
        source="parent.code", default=None, read_only=True, allow_null=True, help_text="null: top"
    )

    class Meta:
        model = Area
        geo_field = "display_boundary"
        id_field = False
        fields = list(AREA_ATTRIBUTES)


class AreaDetailSerializer(AreaFeatureSerializer):
    label_point = serializers.SerializerMethodField()
    ancestors = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    leader = serializers.SerializerMethodField()

    class Meta(AreaFeatureSerializer.Meta):
        fields = [
            *AreaFeatureSerializer.Meta.fields,
            "label_point",
            "ancestors",
            "children",
            "leader",
        ]

    def get_label_point(self, area: Area) -> list[float]:
        return [area.label_point.x, area.label_point.y]

    def get_ancestors(self, area: Area) -> list[dict[str, str]]:
        return list(queries.ancestors(area).values("code", "name", "level"))

    def get_children(self, area: Area) -> list[dict[str, str]]:
        return list(queries.children(area).values("code", "name", "level"))

    def get_leader(self, area: Area) -> dict[str, str] | None:
        leader = queries.grid_leader(area)
        return {"name": leader.name, "phone": leader.phone} if leader else None


class BBoxFilter(InBBoxFilter):
    """``bbox=min_lon,min_lat,max_lon,max_lat`` (WGS84), areas overlapping it."""

    bbox_param = "bbox"

    def get_filter_bbox(self, request: Request) -> Polygon | None:
        raw = request.query_params.get(self.bbox_param)
        if not raw:
            return None
        try:
            values = [float(part) for part in raw.split(",")]
        except ValueError:
            raise ParseError(
                _("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat.")
            ) from None
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise ParseError(_("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat."))
        min_lon, min_lat, max_lon, max_lat = values
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise ParseError(
                _(
                    "bbox must satisfy -180 <= min_lon < max_lon <= 180 and "
                    "-90 <= min_lat < max_lat <= 90 (WGS84 degrees)."
                )
            )
        polygon = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
        polygon.srid = 4326
        return polygon


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = django_filters.CharFilter(field_name="parent__code", help_text="parent area code")

    class Meta:
        model = Area
        fields = ["level", "parent"]


class FeaturePagination(GeoJsonPagination):
    """GeoJSON pages: a FeatureCollection with ``count``, ``next``, ``previous``, ``features``.

    rest_framework_gis renames ``results`` to ``features`` in the schema's properties but leaves
    ``results`` in its required list: clients generated from the schema looked for ``results``.
    """

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        # ``schema`` is the list serializer's: drf-spectacular's GIS support makes it a whole
        # FeatureCollection ("…FeatureList"); a page's features are its items.
        ref = schema.get("$ref", "")
        if ref.endswith("List"):
            paginated["properties"]["features"] = {"type": "array", "items": {"$ref": ref[:-4]}}
        paginated["required"] = ["type", "count", "next", "previous", "features"]
        return paginated


class AreaPagination(FeaturePagination):
    page_size = 100
    max_page_size = 5000


class AreaListView(PublicReadOnly, generics.ListAPIView):
    """Areas in force as GeoJSON (simplified boundaries), paginated, with a total ``count``."""

    serializer_class = AreaFeatureSerializer
    pagination_class = AreaPagination
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, BBoxFilter]
    filterset_class = AreaFilter
    bbox_filter_field = "display_boundary"
    bbox_filter_include_overlapping = True
    queryset = Area.objects.current().select_related("parent").order_by("code")


class AreaDetailView(PublicReadOnly, APIView):
    """One area by code, with its ancestors, children and (for a grid) its leader."""

    @extend_schema(responses=AreaDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        area = get_object_or_404(Area.objects.select_related("parent"), code=code)
        return Response(AreaDetailSerializer(area).data)


# --- grid workers (staff only, scoped) --------------------------------------------------------


class GridWorkerSerializer(serializers.ModelSerializer):
    grid_code = serializers.CharField(source="area.code", read_only=True)
    grid_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = GridWorker
        fields = ["id", "name", "role", "phone", "grid_code", "grid_name", "active"]


class GridWorkerListView(generics.ListAPIView):
    """Grid workers in the signed-in user's jurisdiction."""

    serializer_class = GridWorkerSerializer
    filterset_fields = ["role", "active"]

    def get_queryset(self):
        workers = GridWorker.objects.select_related("area").order_by("area__code", "role", "id")
        return scope(workers, self.request.user)
