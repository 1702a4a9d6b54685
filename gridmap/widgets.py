"""The admin map widget, served by the project itself: vendored OpenLayers, configured base map."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.forms import OSMWidget
from django.urls import reverse
from django.utils.translation import gettext as _

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
        # Handed to js/admin-map.js as JSON (json_script): the page has no inline script, which
        # the Content-Security-Policy forbids (docs/security/deployment.md).
        widget_id = context["id"]
        context["base_map"] = map_config()
        context["map_options_id"] = f"{widget_id}_options"
        context["map_options"] = {
            "base": {
                **context["base_map"],
                "tiandituAttribution": _(
                    "Map data © Tianditu (National Platform for Common GeoSpatial Information "
                    "Services)"
                ),
                "areasUrl": reverse("api-area-list"),
            },
            "geom_name": str(context["geom_type"]),
            "id": widget_id,
            "map_id": f"{widget_id}_map",
            "map_srid": int(context["map_srid"]),
            "name": context["name"],
            "default_lon": float(context["default_lon"]),
            "default_lat": float(context["default_lat"]),
            "default_zoom": int(context["default_zoom"]),
            "read_only": bool(context.get("disabled")),
        }
        return context
