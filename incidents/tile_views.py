"""Vector tiles and heat cells of matters for the operations map (thin: parse, query, respond)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from incidents.choices import IncidentKind, State
from incidents.models import Category
from incidents.tiles import (
    MAX_ZOOM,
    PERIODS,
    RAW_MIN_ZOOM,
    TileFilterError,
    TileFilters,
    heat_cells,
    incident_tile,
    tile_exists,
    tile_version,
)

MVT_TYPE = "application/vnd.mapbox-vector-tile"
# Tiles are per user (scoped), so only the browser may keep them; a short max-age makes panning
# back free, after that the ETag turns a re-fetch into a 304.
CACHE_CONTROL = "private, max-age=30"


def mvt_response(
    request: HttpRequest, etag: str, body: Callable[[], bytes], cache_control: str
) -> HttpResponse:
    """A tile answer: 304 when the browser has ``etag`` (``body`` is then never built)."""
    etag = f'"{etag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body(), content_type=MVT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Vary"] = "Cookie, Accept-Language"
    return response


PERIOD_LABELS = {
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "this_year": gettext_lazy("This year"),
    "last_year": gettext_lazy("Last year"),
}


def _filters(request: HttpRequest) -> TileFilters | HttpResponse:
    try:
        return TileFilters.from_query(request.GET)
    except TileFilterError as error:
        return HttpResponseBadRequest(_("Invalid filter: %(name)s") % {"name": error})


@login_required
@require_GET
def incident_tile_view(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """``/tiles/incidents/{z}/{x}/{y}.pbf``: the user's matters in one Mapbox Vector Tile."""
    if not tile_exists(z, x, y):
        return HttpResponseBadRequest(_("No such tile."))
    filters = _filters(request)
    if isinstance(filters, HttpResponse):
        return filters
    return mvt_response(
        request,
        tile_version(request.user, filters, z, x, y),
        lambda: incident_tile(request.user, filters, z, x, y),
        CACHE_CONTROL,
    )


@login_required
@require_GET
def heat_view(request: HttpRequest) -> HttpResponse:
    """``/tiles/incidents/heat.json?bbox=w,s,e,n&zoom=``: matter counts per screen cell."""
    filters = _filters(request)
    if isinstance(filters, HttpResponse):
        return filters
    try:
        bbox = tuple(float(value) for value in request.GET.get("bbox", "").split(","))
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        return HttpResponseBadRequest(_("bbox and zoom are required."))
    west, south, east, north = bbox if len(bbox) == 4 else (0.0, 0.0, -1.0, -1.0)
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85 and 0 <= zoom <= MAX_ZOOM):
        return HttpResponseBadRequest(_("bbox and zoom are required."))
    cells = heat_cells(request.user, filters, (west, south, east, north), zoom)
    biggest = max((cell.count for cell in cells), default=0)
    response = JsonResponse(
        {"max": biggest, "cells": [[c.lat, c.lon, c.count] for c in cells]},
    )
    response["Cache-Control"] = CACHE_CONTROL
    return response


@login_required
@require_GET
def filter_options(request: HttpRequest) -> JsonResponse:
    """What the map's filters offer, in the page's language (the map page cannot import us)."""
    categories = Category.objects.filter(active=True).order_by("kind", "position", "code")
    return JsonResponse(
        {
            "kinds": [{"value": v, "label": str(label)} for v, label in IncidentKind.choices],
            "categories": [{"value": c.code, "kind": c.kind, "label": c.label} for c in categories],
            "states": [
                {"value": "open", "label": _("Open")},
                {"value": "overdue", "label": _("Overdue")},
                *({"value": v, "label": str(label)} for v, label in State.choices),
                {"value": "all", "label": _("All states")},
            ],
            "periods": [{"value": p, "label": str(PERIOD_LABELS[p])} for p in PERIODS],
            "rawMinZoom": RAW_MIN_ZOOM,
        }
    )
