"""REST API of dispatch: candidates, assign, a matter's assignments, my assignments and their
steps, positions from phones.

Thin views: they parse the request, call volunteers.queries or volunteers.services and render.
Errors as in the incidents API (docs/api.md): bad input 400 with ``errors`` per field, a user who
may not do this 403, a matter or assignment outside the user's view 404, a refusal of the dispatch
rules 409 whose ``detail`` says why, a position posted too soon 429 with ``Retry-After``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.http import SafeJSONParser
from incidents.api import ERRORS, IncidentsAPI
from incidents.serializers import ErrorSerializer
from volunteers.access import Viewer, dispatchable_incident, visible_incident
from volunteers.candidate_search import MAX_SEARCH_RESULTS, search_candidates, searchable_unit
from volunteers.models import Assignment, Responder
from volunteers.queries import (
    candidates,
    incident_assignments,
    joined_assignments,
    my_assignments,
    routable_unit,
    unit_route,
)
from volunteers.serializers import (
    AssignInputSerializer,
    AssignmentActionInputSerializer,
    AssignmentSerializer,
    CandidateSerializer,
    CandidatesQuerySerializer,
    PositionInputSerializer,
    PositionSerializer,
    RouteSerializer,
    candidate_rows,
    route_feature,
)
from volunteers.services import (
    ASSIGNMENT_ACTIONS,
    NotAMemberError,
    PositionInputError,
    PositionTooSoon,
    act_on_assignment,
    assign,
    dispatches_for,
    post_position,
)

REFUSED = OpenApiResponse(
    ErrorSerializer, description="refused by the dispatch rules: detail says why"
)
NOT_A_DISPATCHER = OpenApiResponse(
    ErrorSerializer, description="you see the matter but do not dispatch for its handling unit"
)


def assignment_data(request: Request, assignment_id: int, *, dispatching: bool) -> dict:
    """One assignment as the API shows it, read again after a change."""
    assignment = joined_assignments().get(pk=assignment_id)
    context = {
        "request": request,
        "dispatching_units": {assignment.responder_id} if dispatching else set(),
    }
    return AssignmentSerializer(assignment, context=context).data


# --- a matter's dispatch -------------------------------------------------------------------------


class CandidatesSearchSerializer(CandidatesQuerySerializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=50,
        help_text="search all candidates of your jurisdiction by unit name, home area, township "
        f"or skill (at most {MAX_SEARCH_RESULTS}, whatever the limit); blank: the top list",
    )


class CandidatesView(IncidentsAPI, APIView):
    """The units that may be sent to the matter now, best first, each with why it ranks there;
    with ``q``, those of the user's jurisdiction whose name, area or skill contains it."""

    @extend_schema(
        parameters=[CandidatesSearchSerializer],
        responses={
            200: CandidateSerializer(many=True),
            400: ERRORS[400],
            403: NOT_A_DISPATCHER,
            404: ERRORS[404],
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        query = CandidatesSearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        incident = dispatchable_incident(request.user, pk)
        limit, text = query.validated_data["limit"], query.validated_data["q"].strip()
        if text:
            found = search_candidates(incident, user=request.user, text=text, limit=limit)
        else:
            found = candidates(incident, limit=limit)
        return Response(candidate_rows(found, Viewer.of(request.user)))


class CandidateRouteView(IncidentsAPI, APIView):
    """One unit's way to the matter as a GeoJSON Feature: by road where a road network is loaded
    and the unit can be routed, else the straight line (``eta_source`` says which). For the
    matter's dispatchers, for a unit that may be sent to it now or has a live assignment on it."""

    @extend_schema(
        responses={
            200: RouteSerializer,
            403: NOT_A_DISPATCHER,
            404: OpenApiResponse(
                ErrorSerializer, description="no such matter, or a unit that may not go there"
            ),
        }
    )
    def get(self, request: Request, pk: int, responder: int) -> Response:
        incident = dispatchable_incident(request.user, pk)
        # A unit the console's search found may be shown its way too.
        unit = routable_unit(incident, responder) or searchable_unit(
            incident, user=request.user, responder_id=responder
        )
        if unit is None:
            raise NotFound(
                _("Unit %(id)s is not one that may be sent to this matter.") % {"id": responder}
            )
        return Response(route_feature(unit, unit_route(incident, unit)))


class AssignView(IncidentsAPI, APIView):
    """Offer the matter to a unit (``responder``), or to the nearest available one (null)."""

    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=AssignInputSerializer,
        responses={
            201: AssignmentSerializer,
            400: ERRORS[400],
            403: NOT_A_DISPATCHER,
            404: ERRORS[404],
            409: REFUSED,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = AssignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispatchable_incident(request.user, pk)
        done = assign(
            incident_id=pk,
            actor=request.user,
            responder_id=body.validated_data["responder"],
            override_reason=body.validated_data["override_reason"],
        )
        data = assignment_data(request, done.assignment.pk, dispatching=True)
        return Response(data, status=status.HTTP_201_CREATED)


class IncidentAssignmentsView(IncidentsAPI, APIView):
    """Every assignment of the matter, newest first, with what you may do on each."""

    @extend_schema(responses={200: AssignmentSerializer(many=True), 404: ERRORS[404]})
    def get(self, request: Request, pk: int) -> Response:
        incident = visible_incident(request.user, pk)
        rows = list(incident_assignments(incident.pk))
        # Its dispatchers need the phones of the units they sent, wherever those come from.
        dispatching = (
            {row.responder_id for row in rows} if dispatches_for(request.user, incident) else set()
        )
        context = {"request": request, "dispatching_units": dispatching}
        return Response(AssignmentSerializer(rows, many=True, context=context).data)


# --- my assignments ------------------------------------------------------------------------------


class MyAssignmentsView(IncidentsAPI, APIView):
    """The assignments of the units you act for: live ones first, then the last 20 finished."""

    @extend_schema(responses={200: AssignmentSerializer(many=True)})
    def get(self, request: Request) -> Response:
        live, finished = my_assignments(request.user)
        context = {"request": request}
        return Response(AssignmentSerializer([*live, *finished], many=True, context=context).data)


class AssignmentActionView(IncidentsAPI, APIView):
    """One step of an assignment: accept, decline, en_route, arrive, done (by the unit's
    members) or cancel (by the matter's dispatchers)."""

    parser_classes = [SafeJSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ASSIGNMENT_ACTIONS))
        ],
        request=AssignmentActionInputSerializer,
        responses={
            200: AssignmentSerializer,
            400: ERRORS[400],
            404: OpenApiResponse(
                ErrorSerializer, description="no such action, or not an assignment of yours"
            ),
            409: REFUSED,
        },
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in ASSIGNMENT_ACTIONS:
            raise NotFound(_("There is no action %(action)r.") % {"action": action})
        assignment = (
            Assignment.objects.select_related("incident__handling_unit", "responder")
            .filter(pk=pk)
            .first()
        )
        member = assignment is not None and Viewer.of(request.user).is_member(assignment.responder)
        dispatcher = assignment is not None and dispatches_for(request.user, assignment.incident)
        if not (member or dispatcher):
            raise NotFound(_("No assignment %(id)s of yours.") % {"id": pk})
        body = AssignmentActionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        act_on_assignment(
            assignment_id=pk,
            action=action,
            actor=request.user,
            note=values["note"],
            at=values["at"],
            client_uid=values["uid"],
        )
        return Response(assignment_data(request, pk, dispatching=dispatcher))


# --- positions -----------------------------------------------------------------------------------


# The service's names of the inputs → the names this endpoint takes.
INPUT_NAMES = {"accuracy_m": "accuracy"}


def position_arguments(data: object) -> dict[str, object]:
    """The service's keyword arguments from a body; the numbers themselves are checked there."""
    body = PositionInputSerializer(data=data)
    body.is_valid(raise_exception=True)
    values = body.validated_data
    if "position" in values:
        lon, lat = values["position"]["coordinates"][:2]
    else:
        lon, lat = values.get("lon"), values.get("lat")
    return {"lon": lon, "lat": lat, "crs": values["crs"], "accuracy_m": values["accuracy"]}


class PositionView(IncidentsAPI, APIView):
    """A unit's phone reports where it is (members of the unit only; at most one post per
    DISPATCH_POSITION_MIN_INTERVAL_S seconds)."""

    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=PositionInputSerializer,
        responses={
            200: PositionSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(ErrorSerializer, description="you do not act for this unit"),
            404: OpenApiResponse(ErrorSerializer, description="no such unit"),
            429: OpenApiResponse(
                ErrorSerializer, description="posted too soon; Retry-After says in how many seconds"
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        if not Responder.objects.filter(pk=pk).exists():
            raise NotFound(_("No responder %(id)s.") % {"id": pk})
        arguments = position_arguments(request.data)
        try:
            unit = post_position(responder_id=pk, actor=request.user, **arguments)
        except PositionInputError as error:
            field = INPUT_NAMES.get(error.field, error.field)
            if field in ("lon", "lat") and "position" in request.data:
                field = "position"
            raise ValidationError({field: [error.message]}) from None
        except NotAMemberError as error:
            raise PermissionDenied(str(error)) from None
        except PositionTooSoon as error:
            return Response(
                {"detail": str(error)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(error.retry_after)},
            )
        return Response(PositionSerializer(unit).data)
