"""The "导航" links: points converted to each map app's datum (checked against the apps' own
published conversions) and addresses in the forms their URI APIs document."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from gridmap.coords import InputCRS, gcj02_to_bd09, to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from gridmap.navigation import map_app_links

# Amap's coordinate-conversion API documents (lbs.amap.com/api/webservice/guide/api/convert,
# coordsys=gps): 116.481499,39.990475 → 116.487585177952,39.991754014757 and
# 116.481499,39.990375 → 116.487585177952,39.991653917101.
AMAP_PAIRS = [
    ((116.481499, 39.990475), (116.487585177952, 39.991754014757)),
    ((116.481499, 39.990375), (116.487585177952, 39.991653917101)),
]
# Alibaba Cloud's coordinate-system conversion API documents GCJ02 120.026268,30.279164 as BD09
# 120.032768,30.285238 (6 decimals).
ALIYUN_GCJ_BD = ((120.026268, 30.279164), (120.032768, 30.285238))
DEGREE_0_1_M = 1e-6  # about 0.1 m


@pytest.mark.parametrize(("wgs", "gcj"), AMAP_PAIRS)
def test_wgs84_to_gcj02_matches_amaps_published_conversion(wgs, gcj):
    converted = wgs84_to_gcj02(*wgs)
    assert converted.lon == pytest.approx(gcj[0], abs=DEGREE_0_1_M)
    assert converted.lat == pytest.approx(gcj[1], abs=DEGREE_0_1_M)


def test_gcj02_to_bd09_matches_the_published_pair():
    (gcj, bd) = ALIYUN_GCJ_BD
    converted = gcj02_to_bd09(*gcj)
    assert converted.lon == pytest.approx(bd[0], abs=DEGREE_0_1_M)
    assert converted.lat == pytest.approx(bd[1], abs=DEGREE_0_1_M)


def test_wgs84_to_bd09_goes_through_gcj02_and_back_within_15_cm():
    wgs, gcj = AMAP_PAIRS[0]
    bd = wgs84_to_bd09(*wgs)
    via = gcj02_to_bd09(*gcj)
    assert (bd.lon, bd.lat) == pytest.approx((via.lon, via.lat), abs=DEGREE_0_1_M)
    back = to_wgs84(bd.lon, bd.lat, InputCRS.BD09)
    assert (back.lon, back.lat) == pytest.approx(wgs, abs=1.5e-6)


def test_outside_china_nothing_is_shifted():
    assert wgs84_to_gcj02(2.35, 48.85) == wgs84_to_bd09(2.35, 48.85)
    assert (wgs84_to_gcj02(2.35, 48.85).lon, wgs84_to_gcj02(2.35, 48.85).lat) == (2.35, 48.85)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_each_app_gets_the_point_in_its_own_datum(settings):
    settings.MAP_URI_SOURCE = "pingan-test"
    (lon, lat), _gcj = AMAP_PAIRS[0]
    amap, baidu, tencent = map_app_links(lon, lat, "20261205-000001")
    gcj, bd = wgs84_to_gcj02(lon, lat), wgs84_to_bd09(lon, lat)

    assert amap.url.startswith("https://uri.amap.com/marker?")
    q = _query(amap.url)
    assert q["position"] == f"{gcj.lon:.6f},{gcj.lat:.6f}"
    assert (q["coordinate"], q["callnative"], q["src"]) == ("gaode", "1", "pingan-test")
    assert amap.scheme.startswith("amapuri://route/plan/?")
    assert _query(amap.scheme)["dlat"] == f"{gcj.lat:.6f}"

    assert baidu.url.startswith("https://api.map.baidu.com/marker?")
    q = _query(baidu.url)
    assert q["location"] == f"{bd.lat:.6f},{bd.lon:.6f}"  # Baidu: lat first
    assert (q["coord_type"], q["output"]) == ("bd09ll", "html")
    assert baidu.scheme.startswith("baidumap://map/direction?")
    assert _query(baidu.scheme)["destination"] == (
        f"latlng:{bd.lat:.6f},{bd.lon:.6f}|name:20261205-000001"
    )

    assert tencent.url.startswith("https://apis.map.qq.com/uri/v1/marker?")
    assert _query(tencent.url)["marker"].startswith(f"coord:{gcj.lat:.6f},{gcj.lon:.6f};")
    assert tencent.scheme.startswith("qqmap://map/routeplan?")
    q = _query(tencent.scheme)
    assert (q["tocoord"], q["referer"]) == (f"{gcj.lat:.6f},{gcj.lon:.6f}", "pingan-test")


def test_a_label_cannot_break_out_of_its_parameter():
    (amap, _baidu, _tencent) = map_app_links(104.6, 35.0, "a&src=evil#x")
    assert _query(amap.url)["name"] == "a&src=evil#x"
    assert _query(amap.url)["src"] != "evil"


@pytest.mark.django_db
def test_the_matters_page_offers_navigation_without_its_title(
    media_in_tmp, fast_passwords, plain_static_storage, people, intake, as_user
):
    import re

    matter = intake(title="张三与李四排水纠纷")
    html = as_user("village").get(f"/incidents/{matter.pk}/").content.decode()
    links = re.findall(r'<a class="navigate-app"[^>]*>', html)
    assert [re.search(r'data-app="(\w+)"', a)[1] for a in links] == [
        "amap", "baidu", "tencent", "geo",
    ]  # fmt: skip
    gcj = wgs84_to_gcj02(matter.location.x, matter.location.y)
    assert f'data-lon="{gcj.lon:.6f}"' in links[0]
    assert 'data-datum="bd09"' in links[1]
    assert "张三" not in " ".join(links)  # the apps' servers get the number, not the title
    assert matter.number in links[0]
    assert "js/navigate.js" in html
