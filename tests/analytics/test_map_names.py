"""Area names in the briefing's folium maps are text: folium's tooltips insert them as HTML."""

from __future__ import annotations

from django.contrib.gis.geos import Polygon

from analytics.maps import choropleth_map, feature_collection, hotspot_map

PAYLOAD = "<img src=x onerror=window.__xss=1>"
LEAFLET = ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css")
BOUNDS = (104.60, 35.00, 104.64, 35.02)


def areas(**properties) -> dict:
    square = Polygon.from_bbox((104.60, 35.00, 104.61, 35.01))
    square.srid = 4326
    return feature_collection([(square, {"name": PAYLOAD, **properties})])


def test_the_safety_index_map_shows_an_html_like_name_as_text():
    page = choropleth_map(LEAFLET, areas(score=90.0, rank=1), BOUNDS)

    assert "&lt;img src=x" in page.replace("\\u0026", "&")
    assert "\\u003cimg" not in page
    assert "<img src=x" not in page


def test_the_hotspot_map_shows_an_html_like_name_as_text():
    page = hotspot_map(LEAFLET, areas(label="hot", count=3, gi_bin=3), BOUNDS, areas())

    assert "\\u003cimg" not in page
    assert "<img src=x" not in page
