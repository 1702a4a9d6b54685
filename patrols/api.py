"""REST API of patrols (mounted under /api/): start, send track points, end, read a track.

The phone's calls are idempotent (client uids), so a queue may resend any of them. Errors are
JSON ``{"detail": …}`` (``errors`` too on 400): not a grid leader 403, not your patrol 404, a
second open patrol or a deleted track 409. See docs/patrols.md.
"""

from __future__ import annotations

import json
import uuid

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.http import SafeJSONParser, api_exception_handler, input_error_response
from incidents.serializers import ErrorSerializer
from patrols.access import record_track_view, visible_patrols
from patrols.models import Patrol
from patrols.services import (
    PatrolConflictError,
    PatrolError,
    PatrolForbiddenError,
    PatrolNotFoundError,
    PointInput,
    add_points,
    end_patrol,
    start_patrol,
)


def patrols_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Domain errors to 403/404/409/400; the rest as every API view answers."""
    if isinstance(exc, PatrolForbiddenError):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, PatrolNotFoundError):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PatrolConflictError):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PatrolError):
        return input_error_response(exc.errors or {"detail": [str(exc)]})
    return api_exception_handler(exc, context)


def _errors(**codes: str) -> dict[int, OpenApiResponse]:
    return {
        int(code[1:]): OpenApiResponse(ErrorSerializer, description=text)
        for code, text in codes.items()
    }


OBJECT = OpenApiResponse(OpenApiTypes.OBJECT, description="the patrol and its figures")


def patrol_summary(patrol: Patrol) -> dict[str, object]:
    """A patrol's state and figures as the phone page shows them (no positions)."""
    return {
        "id": patrol.pk,
        "uid": str(patrol.uid),
        "grid_id": patrol.grid_id,
        "started_at": patrol.started_at.isoformat(),
        "ended_at": patrol.ended_at.isoformat() if patrol.ended_at else None,
        "point_count": patrol.point_count,
        "distance_m": round(patrol.distance_m, 1),
        "covered_share": patrol.covered_share,
        "points_url": reverse("api-patrol-points", args=[patrol.pk]),
        "end_url": reverse("api-patrol-end", args=[patrol.pk]),
    }


def _own_patrol_id(request: Request, uid: uuid.UUID) -> int:
    """The id of the caller's patrol with this uid (a phone that started it offline knows only
    the uid); someone else's is not shown to exist."""
    pk = (
        Patrol.objects.filter(uid=uid, leader_id=request.user.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise PatrolNotFoundError(_("No patrol %(id)s of yours.") % {"id": uid})
    return pk


class PatrolsAPI:
    """What every view here shares: JSON bodies only, the error format."""

    parser_classes = [SafeJSONParser]

    def get_exception_handler(self):
        return patrols_exception_handler


def _body(request: Request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class StartView(PatrolsAPI, APIView):
    """A grid leader starts a patrol in their grid (``uid`` makes a retry return the first)."""

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: OBJECT,
            201: OBJECT,
            **_errors(s400="bad input", s403="not a grid leader", s409="another patrol is open"),
        },
    )
    def post(self, request: Request) -> Response:
        body = _body(request)
        patrol, created = start_patrol(
            leader=request.user, uid=body.get("uid"), started_at=body.get("started_at")
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(patrol_summary(patrol), status=code)


# One schema for each action, whether the patrol is named by its id or by its uid.
_POINTS_SCHEMA = {
    "request": OpenApiTypes.OBJECT,
    "responses": {
        200: OBJECT,
        **_errors(s400="bad input", s404="not your patrol", s409="the track was deleted"),
    },
}
_END_SCHEMA = {
    "request": OpenApiTypes.OBJECT,
    "responses": {200: OBJECT, **_errors(s400="bad input", s404="not your patrol")},
}


class PointsView(PatrolsAPI, APIView):
    """A batch of track points ``{uid, points: [{lon, lat, at, accuracy}]}`` (WGS84)."""

    @extend_schema(**_POINTS_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        body = _body(request)
        raw = body.get("points")
        points = None  # malformed: refused by the service once it knows the patrol is yours
        if isinstance(raw, list) and all(isinstance(p, dict) for p in raw):
            points = [
                PointInput(
                    lon=p.get("lon"), lat=p.get("lat"), at=p.get("at"), accuracy_m=p.get("accuracy")
                )
                for p in raw
            ]
        result = add_points(patrol_id=pk, leader=request.user, uid=body.get("uid"), points=points)
        return Response(
            {**patrol_summary(result.patrol), "added": result.added, "duplicate": result.duplicate}
        )


class EndView(PatrolsAPI, APIView):
    """The leader ends the patrol (``ended_at``: the phone's time of the tap, default now)."""

    @extend_schema(**_END_SCHEMA)
    def post(self, request: Request, pk: int) -> Response:
        patrol = end_patrol(
            patrol_id=pk, leader=request.user, ended_at=_body(request).get("ended_at")
        )
        return Response(patrol_summary(patrol))


class PointsByUidView(PointsView):
    """The same batch, to the patrol named by its uid (the offline queue's address: the start
    may still be waiting on the phone when the points are queued)."""

    @extend_schema(operation_id="patrols_points_by_uid_create", **_POINTS_SCHEMA)
    def post(self, request: Request, uid: uuid.UUID) -> Response:  # type: ignore[override]
        return super().post(request, pk=_own_patrol_id(request, uid))


class EndByUidView(EndView):
    """The end, to the patrol named by its uid (as PointsByUidView)."""

    @extend_schema(operation_id="patrols_end_by_uid_create", **_END_SCHEMA)
    def post(self, request: Request, uid: uuid.UUID) -> Response:  # type: ignore[override]
        return super().post(request, pk=_own_patrol_id(request, uid))


class TrackView(PatrolsAPI, APIView):
    """One patrol's track as a GeoJSON Feature, for the leader and their center chain (logged)."""

    @extend_schema(
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON Feature"),
            **_errors(s404="no patrol you may see"),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        patrol = visible_patrols(request.user).filter(pk=pk).select_related("grid").first()
        if patrol is None:
            raise NotFound(_("No patrol %(id)s that you can see.") % {"id": pk})
        record_track_view(
            request=request, patrols=[patrol], label=f"{patrol.grid.code} #{patrol.pk}"
        )
        geometry = json.loads(patrol.track.geojson) if patrol.track is not None else None
        return Response(
            {"type": "Feature", "geometry": geometry, "properties": patrol_summary(patrol)}
        )
