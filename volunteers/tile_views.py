"""Vector tiles of responders for the operations map (thin)."""

from __future__ import annotations

import hashlib

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from incidents.tile_views import mvt_response
from incidents.tiles import tile_exists
from volunteers.tiles import responder_tile


@login_required
@require_GET
def responder_tile_view(request: HttpRequest, z: int, x: int, y: int) -> HttpResponse:
    """``/tiles/responders/{z}/{x}/{y}.pbf``: the units the user may see, live statuses.

    Statuses change without any new position, so the ETag is the tile's own hash (a few hundred
    units: building it is cheaper than proving it unchanged) and the browser must revalidate.
    """
    if not tile_exists(z, x, y):
        return HttpResponseBadRequest(_("No such tile."))
    body = responder_tile(request.user, z, x, y)
    etag = hashlib.sha1(body).hexdigest()[:20]
    # Units' positions (and mediators' names) are personal data: nothing keeps a copy.
    return mvt_response(request, etag, lambda: body, "private, no-store")
