"""REST API of incidents: GeoJSON list and intake, detail, workflow actions, duplicate hints.

Thin views: they parse the request, call incidents.services or incidents.queries and render.
Every error is JSON ``{"detail": "...", "errors": {field: [messages]}}`` (``errors`` on 400 only):
bad input 400, a role that may not do this 403, a matter outside the user's view or an unknown
action 404, a workflow refusal 409 whose ``detail`` says why. See docs/api.md.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.gis.geos import Point, Polygon
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.http import (
    SafeJSONParser,
    api_exception_handler,
    flatten_errors,
    input_error_response,
    loads_json,
)
from gridmap.api import BBoxFilter, FeaturePagination
from gridmap.coords import CoordinateError, InputCRS, parse_point
from gridmap.scoping import far_point_message
from incidents.choices import Action
from incidents.filters import IncidentFilter
from incidents.models import Category, HandlingUnit, Incident, IncidentEvent
from incidents.queries import possible_duplicates, visible_incidents, without_area_shapes
from incidents.serializers import (
    ActionInputSerializer,
    CategorySerializer,
    DuplicateQuerySerializer,
    DuplicateSerializer,
    ErrorSerializer,
    HandlingUnitSerializer,
    IncidentCreatedSerializer,
    IncidentDetailSerializer,
    IncidentFeatureInputSerializer,
    IncidentFeatureSerializer,
    IncidentMultipartInputSerializer,
    IncidentPropertiesInputSerializer,
)
from incidents.services import (
    ACTIONS,
    IncidentInputError,
    IntakeNotAllowedError,
    IntakeRequest,
    PartyInput,
    PhotoInput,
    WorkflowError,
    take_in,
)

# --- errors --------------------------------------------------------------------------------------


def incidents_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Domain errors to 400/409; the rest as every API view answers (config.http)."""
    if isinstance(exc, IncidentInputError):
        return input_error_response(exc.errors)
    if isinstance(exc, WorkflowError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return api_exception_handler(exc, context)


class IncidentsAPI:
    """What every view of this module shares: the error format."""

    def get_exception_handler(self) -> Callable[[Exception, dict], Response | None]:
        return incidents_exception_handler


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="bad input: errors maps field → messages"),
    404: OpenApiResponse(ErrorSerializer, description="no such matter that you can see"),
}


# --- list and intake -----------------------------------------------------------------------------


class GeoJSONParser(SafeJSONParser):
    """Clients that label GeoJSON properly (RFC 7946) send it as application/geo+json."""

    media_type = "application/geo+json"


class IncidentPagination(FeaturePagination):
    page_size = 100
    max_page_size = 500


class PointBBoxFilter(BBoxFilter):
    """``bbox=min_lon,min_lat,max_lon,max_lat``: matters whose first point lies in the box."""

    def get_filter_bbox(self, request: Request) -> Polygon | None:
        try:
            return super().get_filter_bbox(request)
        except ParseError as error:
            raise ValidationError({self.bbox_param: [str(error.detail)]}) from None


# Areas are joined for their code and name only: their shapes (the county outline has thousands
# of vertices) would otherwise be read and parsed for every row.


def list_queryset(user: object) -> QuerySet[Incident]:
    """The matters ``user`` may see, with what the list shows joined (no query per row)."""
    visible = visible_incidents(user).select_related("owner_leader")
    return without_area_shapes(visible, "grid", "village", "township")


def detail_queryset(base: QuerySet[Incident]) -> QuerySet[Incident]:
    """``base`` with everything the detail shows joined or prefetched (no query per row)."""
    joined = base.select_related(
        "category",
        "grid",
        "village",
        "township",
        "county",
        "handling_unit__area",
        "owner_leader",
        "reporter",
        "handler",
    ).prefetch_related(
        "parties",
        "photos",
        Prefetch("events", queryset=IncidentEvent.objects.select_related("actor")),
    )
    return without_area_shapes(
        joined, "grid", "village", "township", "county", "handling_unit__area"
    )


def _points(geometry: object, errors: dict[str, list[str]]) -> list[tuple[object, object]]:
    """The [lon, lat] pairs of a GeoJSON Point or MultiPoint; numbers are checked by services."""
    if geometry is None:
        return []  # the service says that a location is required
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind not in ("Point", "MultiPoint"):
        errors["geometry"] = [
            _("The geometry must be a GeoJSON Point or MultiPoint, not %(type)s.")
            % {"type": kind or type(geometry).__name__}
        ]
        return []
    pairs = [coordinates] if kind == "Point" else coordinates
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list) and len(pair) in (2, 3) for pair in pairs
    ):
        errors["geometry"] = [
            _("Coordinates must be [lon, lat] for a Point, or a list of them for a MultiPoint.")
        ]
        return []
    return [(pair[0], pair[1]) for pair in pairs]


def _read_feature(request: Request) -> tuple[object, list[PhotoInput]]:
    """The feature (JSON body, or the ``feature`` field of a multipart form) and the photos."""
    if not request.content_type.startswith("multipart/"):
        return request.data, []
    raw = request.data.get("feature")
    if not raw:
        raise IncidentInputError({"feature": [_("Send the GeoJSON Feature in the feature field.")]})
    try:
        feature = loads_json(raw)
    except ValueError as error:
        raise IncidentInputError(
            {"feature": [_("The feature is not valid JSON: %(error)s") % {"error": error}]}
        ) from None
    photos = [
        PhotoInput(file=upload, name=upload.name, size=upload.size)
        for upload in request.FILES.getlist("photos")
    ]
    return feature, photos


def intake_request(request: Request) -> IntakeRequest:
    """The IntakeRequest a POST carries, or an IncidentInputError naming every malformed field."""
    feature, photos = _read_feature(request)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise IncidentInputError({"type": [_('Send one GeoJSON Feature (type "Feature").')]})
    errors: dict[str, list[str]] = {}
    points = _points(feature.get("geometry"), errors)
    properties = IncidentPropertiesInputSerializer(data=feature.get("properties"))
    if not properties.is_valid():
        # Named as in the services' errors; "properties" itself when it is not an object.
        for name, messages in flatten_errors(properties.errors).items():
            errors["properties" if name == "non_field_errors" else name] = messages
    values = properties.validated_data if not errors else {}
    crs = (values.get("crs") or request.query_params.get("crs") or InputCRS.WGS84).strip().lower()
    if crs not in InputCRS.values:
        errors["crs"] = [
            _("crs must be one of %(allowed)s.") % {"allowed": ", ".join(InputCRS.values)}
        ]
    if errors:
        raise IncidentInputError(errors)
    return IntakeRequest(
        category=values["category"],
        kind=values["kind"],
        tier=values["tier"],
        title=values["title"],
        description=values["description"],
        points=points,
        crs=crs,
        source=values["source"],
        uid=values.get("uid") or None,
        address=values["address"],
        accuracy_m=values["accuracy_m"],
        parties=[PartyInput(**party) for party in values["parties"]],
        photos=photos,
        multi_department=values["multi_department"],
        duplicate_of=values["duplicate_of"],
        located_at=values["located_at"],
        reported_at=values["reported_at"],
    )


class IncidentListView(IncidentsAPI, generics.ListAPIView):
    """Matters you may see as GeoJSON (first point each), filtered, paginated; POST takes one in."""

    serializer_class = IncidentFeatureSerializer
    pagination_class = IncidentPagination
    filter_backends = [DjangoFilterBackend, PointBBoxFilter]
    filterset_class = IncidentFilter
    bbox_filter_field = "location"
    parser_classes = [SafeJSONParser, GeoJSONParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Incident]:
        return list_queryset(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "crs",
                OpenApiTypes.STR,
                enum=InputCRS.values,
                description="datum of the coordinates: wgs84 (default), gcj02 or bd09; the "
                "property crs does the same",
            )
        ],
        request={
            "application/json": IncidentFeatureInputSerializer,
            "application/geo+json": IncidentFeatureInputSerializer,
            "multipart/form-data": IncidentMultipartInputSerializer,
        },
        responses={
            201: OpenApiResponse(IncidentCreatedSerializer, description="taken in"),
            200: OpenApiResponse(
                IncidentCreatedSerializer, description="a retry: this uid was already taken in"
            ),
            400: ERRORS[400],
            403: OpenApiResponse(ErrorSerializer, description="your role cannot take in"),
        },
    )
    def post(self, request: Request) -> Response:
        """Take in one matter: a GeoJSON Feature, optionally with photos (multipart)."""
        intake = intake_request(request)
        try:
            result = take_in(request=intake, reporter=request.user)
        except IntakeNotAllowedError as error:
            raise PermissionDenied(str(error)) from None
        except IncidentInputError as error:
            # The service calls the points "location"; in a feature they are the geometry.
            raise IncidentInputError(
                {("geometry" if k == "location" else k): v for k, v in error.errors.items()}
            ) from None
        # The reporter always sees what they took in: no visibility joins to plan here.
        incident = detail_queryset(Incident.objects.all()).get(pk=result.incident.pk)
        context = {"request": request, "created": result.created, "duplicates": result.duplicates}
        url = reverse("api-incident-detail", args=[incident.pk])
        return Response(
            IncidentCreatedSerializer(incident, context=context).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers={"Location": url} if result.created else None,
        )


class IncidentDetailView(IncidentsAPI, generics.RetrieveAPIView):
    """One matter in full: points, text, parties (masked unless your role needs them), photos,
    trail, the actions you may take now, duplicates."""

    serializer_class = IncidentDetailSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Incident]:
        return detail_queryset(visible_incidents(self.request.user))

    @extend_schema(responses={200: IncidentDetailSerializer, 404: ERRORS[404]})
    def get(self, request: Request, pk: int) -> Response:
        return self.retrieve(request, pk=pk)


# --- workflow ------------------------------------------------------------------------------------

# The body parameters each action takes (the keyword arguments of its service function).
ACTION_PARAMETERS: dict[str, tuple[str, ...]] = {
    Action.ASSESS: ("note", "tier", "multi_department"),
    Action.ROUTE: ("note", "override_unit", "override_reason"),
    Action.START: ("note",),
    Action.RESOLVE: ("outcome",),
    Action.FAIL: ("outcome",),
    Action.TRANSFER: ("to_unit", "note", "report_back_by"),
    Action.FOLLOW_UP: ("satisfaction", "note"),
    Action.REOPEN: ("note",),
    Action.CLOSE: ("note",),
}
# Text a service requires: sent as "" when missing, so that the service's message explains.
_TEXT_PARAMETERS = {"note", "outcome", "override_reason", "satisfaction"}


def action_arguments(action: str, data: object) -> dict[str, object]:
    """The service's keyword arguments from a request body, or a ValidationError."""
    parameters = ActionInputSerializer(data=data)
    parameters.is_valid(raise_exception=True)
    accepted = ACTION_PARAMETERS[action]
    unknown = sorted(set(data) - set(accepted))  # type: ignore[arg-type]
    if unknown:
        message = _("Not a parameter of %(action)s (it takes %(accepted)s).") % {
            "action": action,
            "accepted": ", ".join(accepted),
        }
        raise ValidationError({name: [message] for name in unknown})
    values = parameters.validated_data
    arguments = {name: values[name] for name in accepted if name in values}
    for name in _TEXT_PARAMETERS.intersection(accepted).difference(arguments):
        arguments[name] = ""
    if action == Action.TRANSFER and arguments.get("to_unit") is None:
        raise ValidationError({"to_unit": [_("Name the unit to transfer to.")]})
    return arguments


class IncidentActionView(IncidentsAPI, APIView):
    """Take one workflow action on a matter (assess, route, start, resolve, fail, transfer,
    follow_up, reopen, close) with that action's parameters; answers with the matter."""

    parser_classes = [SafeJSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(ACTION_PARAMETERS)
            )
        ],
        request=ActionInputSerializer,
        responses={
            200: IncidentDetailSerializer,
            400: ERRORS[400],
            404: OpenApiResponse(ErrorSerializer, description="no such matter or action"),
            409: OpenApiResponse(ErrorSerializer, description="refused now: detail says why"),
        },
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in ACTION_PARAMETERS:
            raise NotFound(_("There is no action %(action)r.") % {"action": action})
        if not visible_incidents(request.user).filter(pk=pk).exists():
            raise NotFound(_("No matter %(id)s that you can see.") % {"id": pk})
        arguments = action_arguments(action, request.data)
        ACTIONS[action](incident_id=pk, actor=request.user, **arguments)
        # The actor could see the matter a moment ago; a transfer may have moved it out of their
        # view, and they still get the result of what they did (parties masked as ever).
        incident = detail_queryset(Incident.objects.all()).get(pk=pk)
        return Response(IncidentDetailSerializer(incident, context={"request": request}).data)


# --- helpers for forms and pickers ---------------------------------------------------------------


class DuplicateSuggestionView(IncidentsAPI, APIView):
    """Matters of a category within 50 m of a point in the last 7 days (before submitting)."""

    @extend_schema(
        parameters=[DuplicateQuerySerializer],
        responses={200: DuplicateSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request: Request) -> Response:
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        try:
            lonlat = parse_point(values["lon"], values["lat"], values["crs"])
        except CoordinateError as error:
            raise ValidationError({error.field: [error.message]}) from None
        far = far_point_message(request.user, [(lonlat.lon, lonlat.lat)])
        if far is not None:
            raise ValidationError({"lon": [far]})
        candidates = possible_duplicates(
            category=values["category"],
            points=[Point(lonlat.lon, lonlat.lat, srid=4326)],
            user=request.user,
        )
        return Response(DuplicateSerializer(candidates, many=True).data)


class CategoryListView(IncidentsAPI, generics.ListAPIView):
    """Active categories, names in the request's language."""

    serializer_class = CategorySerializer
    pagination_class = None
    filterset_fields = ["kind"]
    queryset = Category.objects.filter(active=True)


class HandlingUnitListView(IncidentsAPI, generics.ListAPIView):
    """Active centers and departments (transfer and routing pickers)."""

    serializer_class = HandlingUnitSerializer
    pagination_class = None
    filterset_fields = ["kind", "mode"]
    queryset = HandlingUnit.objects.filter(active=True).select_related("area")
