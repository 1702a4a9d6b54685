"""Site-wide views that belong to no app: the health probe and the error pages.

Every error a person can meet is the site's own page (templates/error.html in the site's frame, in
the request's language, with a way back); under /api/ the same errors answer JSON ``{"detail": …}``
like the rest of the API.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Shown if the framed 500 page cannot be built (its frame reads the session and the database,
# which may be what failed): both languages, no template, no query.
BARE_500 = """<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>服务器错误 · Server error</title></head>
<body><h1>服务器错误 · Server error</h1>
<p>服务器出现错误，已记录。请稍后再试。</p>
<p lang="en">Something went wrong on our side and it has been logged. Please try again later.</p>
<p><a href="/">返回首页 · Home</a></p></body></html>
"""


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers: answers without touching the database."""
    return JsonResponse({"status": "ok"})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _back_url(request: HttpRequest) -> str:
    """The page the visitor came from, if it is on this site and not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe else ""


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    context = {"status": status, "title": title, "message": message, "back_url": _back_url(request)}
    return render(request, "error.html", context, status=status)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: PermissionDenied raised by any view."""
    return _error(
        request,
        403,
        _("Access denied"),
        _("You do not have permission to see this page or to do this."),
    )


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: no such page, or nothing the visitor may see under that address."""
    return _error(
        request, 404, _("Page not found"), _("This page does not exist or has been moved.")
    )


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: an unexpected error (already logged by django.request)."""
    title = _("Server error")
    message = _("Something went wrong on our side and it has been logged. Please try again later.")
    if _is_api(request):
        return JsonResponse(
            {"detail": message}, status=500, json_dumps_params={"ensure_ascii": False}
        )
    try:
        return _error(request, 500, title, message)
    except Exception:
        # The failure may lie in what the frame needs (database, session): fall back to a page
        # that needs nothing, rather than letting the error page itself fail.
        logger.exception("The framed 500 page failed; sent the bare one.")
        return HttpResponse(BARE_500, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose CSRF check failed (CSRF_FAILURE_VIEW): usually a stale page."""
    return _error(
        request,
        403,
        _("This form has expired"),
        _(
            "The form could not be accepted because its security check failed: the page was open "
            "too long, or the browser blocks cookies for this site. Go back, reload the page and "
            "send the form again."
        ),
    )
