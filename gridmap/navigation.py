"""Links that open a phone's own map app (Amap, Baidu, Tencent) at a point, for "导航".

Each app expects its own datum: Amap and Tencent GCJ-02, Baidu BD-09; the point (stored in
WGS84) is converted here, on the server, so the page loads no third-party script. Every link
has a web address (the app's URI API page, which hands over to the installed app on a phone)
and, where the app documents one, a native scheme that static/js/navigate.js tries first on
Android. The label sent to the apps is what the caller passes (a matter's number, never its
title: a title may name the parties, and the apps' servers see the label).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gridmap.coords import LonLat, wgs84_to_bd09, wgs84_to_gcj02


@dataclass(frozen=True)
class MapAppLink:
    """One app's link: the web URI, the native scheme, the point in the app's datum."""

    app: str
    label: str
    url: str
    scheme: str
    datum: str
    point: LonLat


def _query(params: dict[str, str]) -> str:
    # Commas, colons, pipes and semicolons are part of these APIs' own syntax: kept as they are.
    return urlencode(params, quote_via=quote, safe=",:|;")


def _f(value: float) -> str:
    return f"{value:.6f}"


def map_app_links(lon: float, lat: float, name: str) -> list[MapAppLink]:
    """Amap, Baidu and Tencent links to the WGS84 point (lon, lat) labelled ``name``."""
    source = settings.MAP_URI_SOURCE
    gcj = wgs84_to_gcj02(lon, lat)
    bd = wgs84_to_bd09(lon, lat)
    g_lon, g_lat, b_lon, b_lat = _f(gcj.lon), _f(gcj.lat), _f(bd.lon), _f(bd.lat)
    amap = MapAppLink(
        app="amap",
        label=str(_("Amap")),
        url="https://uri.amap.com/marker?"
        + _query(
            {
                "position": f"{g_lon},{g_lat}",
                "name": name,
                "src": source,
                "coordinate": "gaode",
                "callnative": "1",
            }
        ),
        scheme="amapuri://route/plan/?"
        + _query(
            {
                "sourceApplication": source,
                "dlat": g_lat,
                "dlon": g_lon,
                "dname": name,
                "dev": "0",
                "t": "0",
            }
        ),
        datum="gcj02",
        point=gcj,
    )
    baidu = MapAppLink(
        app="baidu",
        label=str(_("Baidu Maps")),
        url="https://api.map.baidu.com/marker?"
        + _query(
            {
                "location": f"{b_lat},{b_lon}",
                "title": name,
                "content": name,
                "output": "html",
                "coord_type": "bd09ll",
                "src": f"webapp.{source}",
            }
        ),
        scheme="baidumap://map/direction?"
        + _query(
            {
                "destination": f"latlng:{b_lat},{b_lon}|name:{name}",
                "coord_type": "bd09ll",
                "mode": "driving",
                "src": f"andr.{source}",
            }
        ),
        datum="bd09",
        point=bd,
    )
    tencent = MapAppLink(
        app="tencent",
        label=str(_("Tencent Maps")),
        url="https://apis.map.qq.com/uri/v1/marker?"
        + _query({"marker": f"coord:{g_lat},{g_lon};title:{name};addr:{name}", "referer": source}),
        scheme="qqmap://map/routeplan?"
        + _query({"type": "drive", "to": name, "tocoord": f"{g_lat},{g_lon}", "referer": source}),
        datum="gcj02",
        point=gcj,
    )
    return [amap, baidu, tencent]
