"""Folium maps for the HTML briefing, pointed at the project's own Leaflet (never a CDN)."""

from __future__ import annotations

import base64
import html
import json
import re

import folium
from branca.element import MacroElement, Template
from django.conf import settings

BIN_COLOURS = {
    3: "#d7191c",
    2: "#f17c4a",
    1: "#fec980",
    0: "#f7f7f7",
    -1: "#c7e6f0",
    -2: "#74add1",
    -3: "#2c7bb6",
}


def index_colour(score: float | None) -> str:
    """A choropleth colour for a safety index (red below 80, green above 95)."""
    if score is None:
        return "#dddddd"
    steps = ((95, "#1a9850"), (90, "#91cf60"), (85, "#fee08b"), (80, "#fc8d59"))
    return next((colour for limit, colour in steps if score >= limit), "#d73027")


Leaflet = tuple[str, str]  # URLs of leaflet.js and leaflet.css


def as_text(collection: dict) -> dict:
    """``collection`` with its string properties HTML-escaped: folium's GeoJsonTooltip puts
    property values into the tooltip with innerHTML, so an area named ``<img onerror=…>`` would
    run in the briefing."""
    return {
        **collection,
        "features": [
            {
                **feature,
                "properties": {
                    key: html.escape(value) if isinstance(value, str) else value
                    for key, value in feature["properties"].items()
                },
            }
            for feature in collection["features"]
        ],
    }


def _map(leaflet: Leaflet, bounds: tuple[float, float, float, float]) -> folium.Map:
    """A folium map whose only script and stylesheet are the given Leaflet files."""
    min_lon, min_lat, max_lon, max_lat = bounds
    fmap = folium.Map(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2],
        tiles=None,
        zoom_start=10,
        # Leaflet's own scale shows miles too: _Controls adds a metric one.
        control_scale=False,
    )
    # Folium would load Leaflet, jQuery, Bootstrap and awesome-markers from CDNs; the maps use
    # plain Leaflet only, served by the site (or copied beside an exported briefing).
    fmap.default_js = [("leaflet", leaflet[0])]
    fmap.default_css = [("leaflet_css", leaflet[1])]
    if settings.MAP_TILES == "osm":
        folium.TileLayer(settings.MAP_TILE_URL, attr=settings.MAP_TILE_ATTRIBUTION).add_to(fmap)
    fmap.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    _Controls().add_to(fmap)
    return fmap


class _Controls(MacroElement):
    """A metric-only scale, and a plain "Leaflet" attribution prefix (Leaflet 1.9 puts a flag
    before it, which has no place on a county briefing; issue 20)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
        }
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )


def _names(fmap: folium.Map, outlines: dict) -> None:
    """Each area's name written on the map, at its centre (not only on hover)."""
    folium.GeoJson(
        as_text(outlines),
        name="names",
        style_function=lambda _: {"stroke": False, "fill": False},
        tooltip=folium.GeoJsonTooltip(
            fields=["name"],
            labels=False,
            permanent=True,
            direction="center",
            class_name="area-name",
        ),
    ).add_to(fmap)


def _outlines(fmap: folium.Map, outlines: dict) -> None:
    folium.GeoJson(
        as_text(outlines),
        name="outline",
        style_function=lambda _: {"color": "#555", "weight": 1, "fillOpacity": 0},
    ).add_to(fmap)
    _names(fmap, outlines)


def heatmap_map(
    leaflet: Leaflet, png: bytes, bounds: tuple[float, float, float, float], outlines: dict
) -> str:
    """The kernel-density image over the area's child outlines."""
    fmap = _map(leaflet, bounds)
    min_lon, min_lat, max_lon, max_lat = bounds
    folium.raster_layers.ImageOverlay(
        "data:image/png;base64," + base64.b64encode(png).decode(),
        bounds=[[min_lat, min_lon], [max_lat, max_lon]],
        opacity=0.85,
    ).add_to(fmap)
    _outlines(fmap, outlines)
    return fmap.get_root().render()


def hotspot_map(
    leaflet: Leaflet, cells: dict, bounds: tuple[float, float, float, float], outlines: dict
) -> str:
    """Grid cells coloured by Gi_Bin (hot red, cold blue), with the child outlines."""
    fmap = _map(leaflet, bounds)
    folium.GeoJson(
        as_text(cells),
        name="hotspots",
        style_function=lambda f: {
            "fillColor": BIN_COLOURS.get(f["properties"]["gi_bin"], "#f7f7f7"),
            "color": "#999",
            "weight": 0.2,
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "label", "count"], labels=False),
    ).add_to(fmap)
    _outlines(fmap, outlines)
    return fmap.get_root().render()


def choropleth_map(leaflet: Leaflet, areas: dict, bounds: tuple[float, float, float, float]) -> str:
    """Child areas coloured by safety index."""
    fmap = _map(leaflet, bounds)
    folium.GeoJson(
        as_text(areas),
        name="index",
        style_function=lambda f: {
            "fillColor": index_colour(f["properties"]["score"]),
            "color": "#555",
            "weight": 1,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "score", "rank"], labels=False),
    ).add_to(fmap)
    _names(fmap, areas)
    return fmap.get_root().render()


def with_nonce(html: str, nonce: str) -> str:
    """A folium map's ``<script>`` tags marked with the page's CSP nonce ("": left unmarked).

    Folium writes the map as inline scripts; the briefing shows it in a ``srcdoc`` frame, which
    runs under the page's Content-Security-Policy, so each script carries that page's nonce.
    """
    if not nonce:
        return html
    return re.sub(r"<script(?=[\s>])", f'<script nonce="{nonce}"', html)


def feature_collection(features: list[tuple[object, dict]]) -> dict:
    """GeoJSON of (GEOS geometry, properties) pairs."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(geom.geojson), "properties": props}
            for geom, props in features
        ],
    }
