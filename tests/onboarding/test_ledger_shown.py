"""Imported ledger matters as users see them: "approximate (area centre)" wherever a matter's
place is shown (detail page, lists, API, map tiles), and the ledger's 责任单位 on its page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from incidents.models import Incident
from incidents.queries import WHOLE_JURISDICTION
from incidents.tiles import RAW_MIN_ZOOM
from onboarding.models import ImportedMatter
from tests.factories import STEP, X0, Y0
from tests.mvt import decode, tile_of
from tests.onboarding.conftest import write_xlsx
from tests.onboarding.test_import_ledger import run

# 巩昌镇北关村第1网格 is the square [X0, X0+STEP] × [Y0, Y0+STEP] (tests/onboarding/conftest.py).
EXACT = (X0 + STEP * 0.3, Y0 + STEP * 0.3)


@pytest.fixture
def imported(county, tmp_path) -> dict[str, Incident]:
    """A ledger of two matters: one with coordinates, one by place name only; both with a unit."""
    rows = [
        ["编号", "登记时间", "纠纷类型", "简要情况", "所属乡镇", "所属村", "经度", "纬度",
         "化解结果", "责任单位"],
        ["GC-1", "2024-03-05", "邻里纠纷", "院墙滴水", "巩昌镇", "北关村", EXACT[0], EXACT[1],
         "调解成功", "巩昌镇司法所"],
        ["GC-2", "2024-03-06", "婚姻家庭纠纷", "夫妻争吵", "巩昌镇", "东城社区", None, None,
         "调解成功", "东城社区居委会"],
    ]  # fmt: skip
    report = run(write_xlsx(tmp_path / "台账.xlsx", rows))
    assert (report["created"], report["errors"]) == (2, [])
    return {
        "exact": Incident.objects.get(ledger_row__original_number="GC-1"),
        "approximate": Incident.objects.get(ledger_row__original_number="GC-2"),
    }


@pytest.fixture
def admin(county, client, make_user):
    make_user("county-admin", Role.COUNTY_ADMIN, county["621122000000"])
    client.force_login(User.objects.get(username="county-admin"))
    return client


def test_the_ledgers_responsible_unit_is_kept_with_the_imported_row(imported):
    assert ImportedMatter.objects.get(original_number="GC-1").responsible_unit == "巩昌镇司法所"
    assert imported["approximate"].ledger_row.responsible_unit == "东城社区居委会"


def test_detail_page_marks_the_approximate_location_and_shows_the_responsible_unit(imported, admin):
    page = admin.get(reverse("incidents:detail", args=[imported["approximate"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="location-approximate"' in text
    assert "badge-approximate" in text
    assert 'id="responsible-unit">东城社区居委会<' in text
    assert "台账.xlsx" in text  # the source file and row
    exact = admin.get(reverse("incidents:detail", args=[imported["exact"].pk])).content.decode()
    assert 'id="location-approximate"' not in exact
    assert "badge-approximate" not in exact
    assert 'id="responsible-unit">巩昌镇司法所<' in exact


def test_the_queue_marks_approximate_matters(imported, admin):
    query = {"state": "closed", "scope": WHOLE_JURISDICTION}
    text = admin.get(reverse("incidents:queue"), query).content.decode()
    assert imported["approximate"].title in text
    assert imported["exact"].title in text
    assert text.count("badge-approximate") == 1


def test_api_list_and_detail_say_whether_the_location_is_approximate(imported, admin):
    listed = admin.get(reverse("api-incident-list"), {"state": "closed"}).json()
    flags = {
        f["properties"]["number"]: (
            f["properties"]["location_approximate"],
            f["properties"]["imported"],
        )
        for f in listed["features"]
    }
    assert flags == {imported["exact"].number: (False, True),
                     imported["approximate"].number: (True, True)}  # fmt: skip
    detail = admin.get(reverse("api-incident-detail", args=[imported["approximate"].pk])).json()
    assert detail["properties"]["location_approximate"] is True


def test_map_tiles_mark_approximate_matters(imported, admin):
    found = {}
    for incident in imported.values():
        x, y = tile_of(incident.location.x, incident.location.y, RAW_MIN_ZOOM)
        url = reverse("incident-tile", args=[RAW_MIN_ZOOM, x, y])
        tile = decode(admin.get(url, {"state": "closed"}).content)
        for feature in tile["matters"].features:
            found[feature.id] = feature.properties["approximate"]
    assert found == {imported["exact"].pk: False, imported["approximate"].pk: True}


def test_repeat_locations_and_clusters_leave_out_matters_placed_at_an_area_centre(county, tmp_path):
    """Three matters of one village by name sit on one point: no repeat location; three with
    coordinates a few metres apart are one."""
    import datetime as dt

    from analytics.queries import repeat_locations

    by_name = [["编号", "登记时间", "纠纷类型", "简要情况", "所属乡镇", "所属村", "经度", "纬度"]]
    for n in range(3):
        by_name.append([f"N-{n}", f"2024-03-0{n + 1}", "邻里纠纷", f"纠纷{n}", "巩昌镇", "东城社区",
                        None, None])  # fmt: skip
    assert run(write_xlsx(tmp_path / "by-name.xlsx", by_name))["created"] == 3
    area = county["621122000000"]
    end = dt.date(2024, 4, 1)
    assert repeat_locations(Incident.objects.all(), area=area, end=end) == []
    exact = [by_name[0]]
    for n in range(3):
        exact.append([f"E-{n}", f"2024-03-1{n}", "邻里纠纷", f"争执{n}", "巩昌镇", "北关村",
                      EXACT[0] + n * 0.0001, EXACT[1]])  # fmt: skip
    assert run(write_xlsx(tmp_path / "exact.xlsx", exact))["created"] == 3
    found = repeat_locations(Incident.objects.all(), area=area, end=end)
    assert [cluster.size for cluster in found] == [3]


def test_the_exported_ledger_says_which_coordinates_are_approximate(imported, admin):
    from incidents.ledger import HEADERS
    from tests.incidents.test_ledger import xlsx_cells

    user = User.objects.get(username="county-admin")
    flag = HEADERS.index("位置为近似")
    exact = xlsx_cells(Incident.objects.filter(pk=imported["exact"].pk), user)
    approximate = xlsx_cells(Incident.objects.filter(pk=imported["approximate"].pk), user)
    assert (exact[flag].value, approximate[flag].value) == ("否", "是")
