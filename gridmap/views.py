"""Pages of the grid network."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.choices import AreaLevel
from gridmap.queries import network_summary

# Grid cells are fetched for the visible box only from this zoom on (a village is ~1-3 km wide,
# a grid a few hundred metres): a county-wide dump of every cell is never requested.
GRID_MIN_ZOOM = 13


def home(request: HttpRequest) -> HttpResponse:
    """Start page: the signed-in user's own work first, then what the network holds."""
    # The briefing a leader opens: the latest complete month (a partial one misleads).
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return render(
        request,
        "gridmap/home.html",
        {"summary": network_summary(), "briefing_period": last_month.strftime("%Y-%m")},
    )


def map_strings() -> dict[str, object]:
    """Every text the map script shows, translated into the active language."""
    return {
        "levels": {level: str(label) for level, label in AreaLevel.choices},
        "layers": {
            AreaLevel.COUNTY: _("County"),
            AreaLevel.TOWNSHIP: _("Townships / streets"),
            AreaLevel.VILLAGE: _("Villages / communities"),
            AreaLevel.GRID: _("Grid cells"),
        },
        "baseMaps": {
            "osm": _("Street map"),
            "tiandituVec": _("Tianditu map"),
            "tiandituImg": _("Tianditu imagery"),
        },
        "tiandituAttribution": _(
            "Map data © Tianditu (National Platform for Common GeoSpatial Information Services)"
        ),
        "code": _("Code"),
        "level": _("Level"),
        "population": _("Population"),
        "households": _("Households"),
        "childrenOf": _("%(level)s below (%(count)s)"),
        "leader": _("Grid leader"),
        "noLeader": _("No active grid leader"),
        "phone": _("Phone"),
        "version": _("Boundary version"),
        "validFrom": _("Valid from"),
        "synthetic": _("Synthetic boundary (demo data), not an official boundary."),
        "unknown": _("not recorded"),
        "loading": _("Loading…"),
        "loadError": _("Could not load the map data. Check the connection and reload the page."),
        "detailError": _("Could not load this area."),
        "noData": _("No areas are loaded yet: import boundaries or run the demo loader."),
        "zoomForGrids": _("Zoom in to see grid cells."),
        "close": _("Close"),
        "locate": _("Find the grid at a point"),
        "locateHint": _("Click the map to find the grid cell, village and township of a point."),
        "locateCancel": _("Cancel"),
        "myLocation": _("My location"),
        "myLocationError": _("Your position is not available in this browser."),
        "located": _("This point lies in:"),
        "outside": _("The point is outside every grid cell."),
        "nearest": _("Nearest grid cell: %(name)s, %(distance)s m away."),
        "panelHint": _("Click an area on the map to see its details."),
    }


def area_map(request: HttpRequest) -> HttpResponse:
    """The four levels of the network as switchable layers; click an area for its details."""
    options = {
        "areasUrl": reverse("api-area-list"),
        "detailUrl": reverse("api-area-detail", args=["CODE"]),
        "locateUrl": reverse("api-locate"),
        "gridMinZoom": GRID_MIN_ZOOM,
        "strings": map_strings(),
    }
    return render(request, "gridmap/map.html", {"map_options": options})
