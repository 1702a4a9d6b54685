"""The admin map widget, served by the project itself: vendored OpenLayers, configured base map."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.forms import OSMWidget

from gridmap.context_processors import map_config


class AreaMapWidget(OSMWidget):
    """Django's OpenLayers widget without a CDN: OpenLayers from static/vendor/ol, and the base map
    of MAP_TILES (with "none", township and grid outlines from the area API instead of tiles).

    A disabled field (read-only boundary) is shown without the draw and modify tools.
    """

    template_name = "gridmap/widgets/area_map.html"
    # Longxi County: where a new point starts when the form has no value and no better centre.
    default_lon = 104.63
    default_lat = 35.0
    default_zoom = 10

    class Media:
        # extend = False: the parent's Media points at cdn.jsdelivr.net, which intranets lack.
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css", "css/admin-map.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "js/admin-map.js")

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["base_map"] = map_config()
        return context
