"""Vector tiles of responders for the operations map (thin)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from volunteers.tiles import responder_tile


@login_required
@require_GET
def responder_tile_view(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """``/tiles/responders/{z}/{x}/{y}.pbf``: the units the user may see, live statuses.

    Statuses change without any new position, so the ETag is the tile's own hash (a few hundred
    units: building it is cheaper than proving it unchanged) and the browser must revalidate.
    """
    if z > 22 or not (0 <= x < 2**z and 0 <= y < 2**z):
        return HttpResponseBadRequest(_("No such tile."))
    body = responder_tile(request.user, z, x, y)
    etag = f'"{hashlib.sha1(body).hexdigest()[:20]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/vnd.mapbox-vector-tile")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, Accept-Language"
    return response
