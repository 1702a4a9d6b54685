"""API of notifications: my list, mark one read, mark all read (phones and the live pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notify import services
from notify.models import Notification
from notify.queries import inbox, unread_count


class NotificationSerializer(serializers.ModelSerializer):
    matter = serializers.IntegerField(source="incident_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "text", "link", "urgent", "status", "created_at",
                  "read_at", "matter"]  # fmt: skip


class Page(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


class NotificationListView(APIView):
    """My site notifications, newest first (``?unread=1``: unread only), with the unread count."""

    @extend_schema(
        responses=inline_serializer(
            "NotificationPage",
            {
                "count": serializers.IntegerField(),
                "unread": serializers.IntegerField(),
                "results": NotificationSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        rows = inbox(request.user)
        if request.query_params.get("unread") in {"1", "true"}:
            rows = rows.filter(status__in=("pending", "sent"))
        pager = Page()
        page = pager.paginate_queryset(rows, request, view=self)
        return Response(
            {
                "count": pager.count,
                "unread": unread_count(request.user),
                "results": NotificationSerializer(page, many=True).data,
            }
        )


class NotificationReadView(APIView):
    """Mark one of my notifications read."""

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        try:
            row = services.mark_read(user=request.user, notification_id=pk)
        except services.NotFoundError:
            raise NotFound() from None
        return Response(NotificationSerializer(row).data)


class NotificationReadAllView(APIView):
    """Mark all my notifications read."""

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()})
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(user=request.user)})
