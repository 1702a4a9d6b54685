"""Request hygiene every endpoint shares: JSON that cannot crash the parser, one error format,
no NUL bytes in paths or query strings, and no caching of responses that may carry personal
data.

Imported by the apps' APIs (the parser) and by settings (the middleware); imports no app.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response


def loads_json(text: str | bytes) -> object:
    """``json.loads`` that answers ValueError for input nested too deep to parse.

    Python's decoder recurses once per ``[`` or ``{``: 50,000 of them raise RecursionError,
    which is no ValueError and would end as a 500.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(_("The JSON is nested too deeply.")) from None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, answering 400 (not 500) for JSON nested too deeply to parse."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the JSON is nested too deeply.")) from None


def flatten_errors(detail: object, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → ``{"parties.0.name": [...]}``, one list of messages per field."""
    if isinstance(detail, dict):
        nested: dict[str, list[str]] = {}
        for key, value in detail.items():
            nested.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return nested
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        items: dict[str, list[str]] = {}
        for index, item in enumerate(detail):
            items.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return items
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def input_error_response(errors: dict[str, list[str]]) -> Response:
    """400 with every field's messages, and all of them in one line as ``detail``."""
    summary = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return Response({"detail": summary, "errors": errors}, status=400)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error as ``{"detail": …}``, a 400 with ``errors`` (field → messages) too."""
    # Imported here: rest_framework.views reads the API settings, which name this module.
    from rest_framework.views import exception_handler

    if isinstance(exc, ValidationError):
        return input_error_response(flatten_errors(exc.detail))
    return exception_handler(exc, context)


def _has_nul(request: HttpRequest) -> bool:
    """Whether the path or the query string holds a NUL byte (raw or %00-encoded)."""
    raw_query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or b"\x00" in unquote_to_bytes(raw_query)


class RequestHygieneMiddleware:
    """Refuse NUL bytes in the path or query (400), and mark dynamic responses ``no-store``.

    NUL: PostgreSQL refuses it in any text value, so a path parameter or filter holding one ends
    as a DataError (500) wherever it reaches a query; refusing it here covers every endpoint.

    Cache-Control: matter details, ledgers, units' phones and positions, grid leaders' phones
    from ``locate`` … are personal data that a shared office computer or a proxy must not keep.
    Every response that does not choose its own caching gets ``no-store``; a view that may be
    cached (tiles, static files) says so itself. Static files are answered by WhiteNoise before
    this middleware runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("The address holds a NUL byte, which no parameter may contain.")
            if request.path_info.startswith("/api/"):
                return self._no_store(JsonResponse({"detail": message}, status=400))
            raise BadRequest(message)
        return self._no_store(self.get_response(request))

    @staticmethod
    def _no_store(response: HttpResponse) -> HttpResponse:
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
