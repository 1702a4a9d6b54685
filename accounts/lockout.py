"""django-axes hooks: the client address it counts by, and the answer to a locked-out login."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind NUM_PROXIES proxies the address they saw (as DRF's throttles do)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return remote


def lockout_minutes() -> int:
    """How long a locked username + address stays locked, in whole minutes."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """429: JSON under /api/, otherwise the lockout page in the site's frame."""
    message = _(
        "Too many failed logins for this account from your address. "
        "Try again in %(minutes)d minutes, or ask an administrator to unlock it."
    ) % {"minutes": lockout_minutes()}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=429)
    context = {"message": message, "minutes": lockout_minutes()}
    return render(request, "accounts/lockout.html", context, status=429)
