"""The live feed of a user's own in-site notifications: an event stream, and a poll as fallback.

``/notifications/stream/`` is Server-Sent Events, served only under ASGI (scripts/serve.sh): one
``notification`` event per new row, heartbeat comments, replay after ``Last-Event-ID`` or
``?after=``, closed after LIVE_STREAM_SECONDS (the browser reconnects). Under WSGI (runserver,
the test live server) it answers 204, which tells EventSource to stop, and static/js/live.js polls
``/notifications/poll/?after=<id>`` instead. Both answer 401 to anyone not signed in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.middleware import background
from notify import live_queries
from notify.live import RESYNC, hub

# The browser waits this long before reconnecting a stream that ended.
RETRY_MS = 3000
# How long a new stream waits for the process's listener before relying on re-reading instead.
LISTENER_WAIT_S = 5.0


def _unauthorized() -> JsonResponse:
    return JsonResponse({"detail": _("Authentication credentials were not provided.")}, status=401)


def _cursor(request: HttpRequest) -> int:
    """Where the client stands: the browser's Last-Event-ID on reconnect, else ``?after=``."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        return max(int(raw), 0)
    except ValueError:
        return 0


async def _read(function: Callable[..., Any], *args: Any) -> Any:
    """Run one read in Django's thread and give the connection straight back: a stream is open
    for minutes and must not hold a database connection (of the pool) while it waits."""

    def run() -> Any:
        try:
            return function(*args)
        finally:
            connections["default"].close()

    return await sync_to_async(run)()


def _event(name: str, data: dict, event_id: int | None = None) -> bytes:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode()


class _Stream:
    """The events of one connection: replay, then each new row, until LIVE_STREAM_SECONDS."""

    def __init__(self, user_id: int, after: int) -> None:
        self.user_id = user_id
        self.last = after
        self.sent: set[int] = set()
        self.hub = hub()

    async def _as_events(self, rows: list[dict]) -> list[bytes]:
        rows = [row for row in rows if row["id"] not in self.sent]
        if not rows:
            return []
        unread = await _read(live_queries.unread_count, self.user_id)
        for row in rows:
            self.sent.add(row["id"])
            self.last = max(self.last, row["id"])
        return [_event("notification", {**row, "unread": unread}, row["id"]) for row in rows]

    async def since_last(self) -> list[bytes]:
        """Every row after the last one sent (replay, resync, or no listener)."""
        rows = await _read(live_queries.notifications_after, self.user_id, self.last)
        return await self._as_events(rows)

    async def on_item(self, item: int | None) -> list[bytes]:
        """What to send for one queue item (None: the heartbeat interval passed)."""
        if item is None:
            # Without a listener (database restarting) re-read instead of waiting for NOTIFY.
            chunks = [] if self.hub.ready.is_set() else await self.since_last()
            return [*chunks, b": heartbeat\n\n"]
        if item == RESYNC:
            return await self.since_last()
        if item in self.sent:
            return []
        row = await _read(live_queries.notification, self.user_id, item)
        return await self._as_events([row] if row else [])

    async def __aiter__(self) -> AsyncIterator[bytes]:
        queue = self.hub.subscribe(self.user_id)
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            # LISTEN first, then read what came before it: nothing falls between the two.
            await self.hub.wait_ready(LISTENER_WAIT_S)
            unread = await _read(live_queries.unread_count, self.user_id)
            yield _event("ready", {"unread": unread, "after": self.last})
            for chunk in await self.since_last():
                yield chunk
            loop = asyncio.get_running_loop()
            deadline = loop.time() + settings.LIVE_STREAM_SECONDS
            while (remaining := deadline - loop.time()) > 0:
                try:
                    item = await asyncio.wait_for(
                        queue.get(), min(settings.LIVE_HEARTBEAT_SECONDS, remaining)
                    )
                except TimeoutError:
                    item = None
                for chunk in await self.on_item(item):
                    yield chunk
        finally:
            self.hub.unsubscribe(self.user_id, queue)


@background
@require_GET
async def stream(request: HttpRequest) -> HttpResponse:
    """Server-Sent Events of the signed-in user's own new site notifications."""
    user = await request.auser()
    if not user.is_authenticated:
        return _unauthorized()
    if not isinstance(request, ASGIRequest):
        # Under WSGI a stream would hold a worker thread for minutes: 204 makes EventSource stop
        # reconnecting, and live.js polls instead.
        return HttpResponse(status=204)
    response = StreamingHttpResponse(
        aiter(_Stream(user.pk, _cursor(request))), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    # nginx: pass each event on at once instead of buffering the response.
    response["X-Accel-Buffering"] = "no"
    return response


@background
@require_GET
def poll(request: HttpRequest) -> JsonResponse:
    """The signed-in user's site notifications after ``?after=<id>`` and the unread count."""
    if not request.user.is_authenticated:
        return _unauthorized()
    after = _cursor(request)
    items = live_queries.notifications_after(request.user.pk, after)
    return JsonResponse(
        {
            "notifications": items,
            "unread": live_queries.unread_count(request.user.pk),
            "last": max([after, *(item["id"] for item in items)]),
        }
    )
