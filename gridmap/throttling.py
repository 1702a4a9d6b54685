"""Per-client throttling of public endpoints, counted in PostgreSQL (shared by every worker).

DRF's own throttles keep their history in Django's cache, which is per process unless a shared
cache is configured; a fixed-window counter in one upsert costs one statement per request and
needs no other service (PostgreSQL is the only one the project requires).
"""

from __future__ import annotations

import time

from django.db import connection
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

# One statement counts the request and says how many the client made in this window; a new
# window starts the count again. Old keys are overwritten when the client comes back.
_COUNT_SQL = """
INSERT INTO gridmap_requestcount AS c (key, "window", hits) VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE
SET hits = CASE WHEN c."window" = EXCLUDED."window" THEN c.hits + 1 ELSE 1 END,
    "window" = EXCLUDED."window"
RETURNING hits
"""


def count_request(key: str, window: int) -> int:
    """Count one request of ``key`` in ``window``; the number of requests in it so far."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [key, window])
        return cursor.fetchone()[0]


class ClientRateThrottle(SimpleRateThrottle):
    """``throttle_scope`` of the view, rate from REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, per
    client address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies)."""

    def __init__(self) -> None:  # the rate depends on the view, read in allow_request
        self.wait_seconds: float | None = None

    def get_rate(self) -> str | None:
        # Read now, not at import (DRF binds THROTTLE_RATES when its module loads).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return f"{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        hits = count_request(self.get_cache_key(request, view)[:200], window)
        if hits <= self.num_requests:
            return True
        self.wait_seconds = (window + 1) * self.duration - now
        return False

    def wait(self) -> float | None:
        return self.wait_seconds
