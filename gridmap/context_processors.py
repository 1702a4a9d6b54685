"""Template context shared by every page."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gridmap.choices import AreaLevel
from gridmap.models import Area


def map_config() -> dict[str, str]:
    """The configured base map (MAP_TILES & co., see config/settings.py) for map scripts."""
    return {
        "tiles": settings.MAP_TILES,
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "tiandituKey": settings.TIANDITU_KEY,
    }


def map_settings(request: HttpRequest) -> dict:
    """The configured base map, so every page builds the same tile layer; for a signed-in user
    also where the small maps get their context (static/js/map-context.js) and its note."""
    config: dict[str, object] = map_config()
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # The URL lives in roads (above gridmap in the layering): named, not imported.
        config["contextUrl"] = reverse("api-map-context")
        config["contextOffline"] = _(
            "Offline: the surrounding areas and roads are not shown until the connection is back."
        )
        config["contextSaved"] = _(
            "Offline: the surrounding areas and roads as last loaded on this device."
        )
    return {"map_config": config}


def demo_notice() -> str:
    """The demo-data banner, derived from which levels hold synthetic boundaries ("" if none)."""
    found = set(
        Area.objects.current().filter(synthetic=True).values_list("level", flat=True).distinct()
    )
    if not found:
        return ""
    if found == {AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID}:
        # The demo county: real outline, generated divisions inside it.
        return str(
            _(
                "Demo data: township, village (community) and grid boundaries are synthetic; "
                "only the county boundary is a reference outline."
            )
        )
    levels = pgettext("list separator", ", ").join(
        str(AreaLevel(level).label) for level in AreaLevel.values if level in found
    )
    return str(
        _("Demo data: synthetic boundaries at these levels: %(levels)s.") % {"levels": levels}
    )


def demo_data(request: HttpRequest) -> dict[str, Callable[[], str]]:
    """The demo-data banner of every page.

    Passed as a callable: the template calls it only where the banner is rendered, so responses
    without it never pay for the query.
    """
    return {"demo_notice": demo_notice}
