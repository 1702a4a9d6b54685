"""Template context shared by every map page."""

from django.conf import settings
from django.http import HttpRequest


def map_settings(request: HttpRequest) -> dict:
    """The configured base map, so every page builds the same tile layer."""
    return {
        "map_config": {
            "tiles": settings.MAP_TILES,
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "tiandituKey": settings.TIANDITU_KEY,
        }
    }
