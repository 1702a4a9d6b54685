"""``{% navigate point label %}``: the "导航" control (links to the phone's map apps)."""

from __future__ import annotations

from django import template

from gridmap.navigation import map_app_links

register = template.Library()


@register.inclusion_tag("gridmap/_navigate.html")
def navigate(point: object, label: str) -> dict[str, object]:
    """The control for a WGS84 Point (None: nothing is shown)."""
    if point is None:
        return {"links": []}
    lon, lat = point.x, point.y  # type: ignore[attr-defined]
    return {"links": map_app_links(lon, lat, str(label)), "lon": lon, "lat": lat}
