"""The analytics filter of matters imported from past ledgers: "include imported ledger history"
on the analytics page and the briefing, ``include_imported`` in their URLs and in the heatmap API.
Included unless the parameter says 0."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from tests.onboarding import conftest as onboarding
from tests.onboarding.conftest import write_xlsx
from tests.onboarding.test_import_ledger import run

COUNTY = "621122000000"
county = onboarding.county  # the onboarding tests' small county (a fixture)


@pytest.fixture
def leader(county, client, make_user, tmp_path):
    """A leadership user of the county, whose county has three matters of March 2024 imported
    from a ledger (two in 巩昌镇, one in 文峰镇)."""
    rows = [
        ["编号", "登记时间", "纠纷类型", "简要情况", "所属乡镇", "所属村", "化解结果"],
        ["L-1", "2024-03-05", "邻里纠纷", "院墙滴水", "巩昌镇", "北关村", "调解成功"],
        ["L-2", "2024-03-06", "邻里纠纷", "占道堆放", "巩昌镇", "东城社区", "调解成功"],
        ["L-3", "2024-03-07", "邻里纠纷", "噪音扰民", "文峰镇", "西街村", "调解成功"],
    ]
    assert run(write_xlsx(tmp_path / "台账.xlsx", rows))["created"] == 3
    make_user("leader", Role.LEADERSHIP, county[COUNTY])
    client.force_login(User.objects.get(username="leader"))
    return client


def test_heatmap_counts_imported_matters_unless_include_imported_is_0(leader):
    url = reverse("api-analytics-heatmap")
    query = {"area": COUNTY, "period": "2024-03"}
    assert leader.get(url, query).json()["count"] == 3
    assert leader.get(url, {**query, "include_imported": "1"}).json()["count"] == 3
    assert leader.get(url, {**query, "include_imported": "0"}).json()["count"] == 0
    # The page's form sends a hidden 0 before the ticked box's 1: the last one counts.
    both = f"{url}?area={COUNTY}&period=2024-03&include_imported=0&include_imported=1"
    assert leader.get(both).json()["count"] == 3


def test_a_value_other_than_yes_or_no_is_refused(leader):
    url = reverse("api-analytics-heatmap")
    response = leader.get(url, {"area": COUNTY, "period": "2024-03", "include_imported": "maybe"})
    assert response.status_code == 400
    assert "include_imported" in response.json()["errors"]


def _received(page: str, code: str) -> int:
    """The "Received" cell of an area's row in the briefing's area table."""
    row = re.search(rf'<tr data-area="{code}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return int(cells[2])  # rank, area, received


def test_briefing_leaves_imported_matters_out_when_asked_and_says_so(leader):
    url = reverse("analytics:briefing")
    with_them = leader.get(url, {"area": COUNTY, "period": "2024-03"}).content.decode()
    assert 'id="imported-excluded"' not in with_them
    assert _received(with_them, "621122100000") == 2
    without = leader.get(
        url, {"area": COUNTY, "period": "2024-03", "include_imported": "0"}
    ).content.decode()
    assert 'id="imported-excluded"' in without
    assert _received(without, "621122100000") == 0


def test_the_analytics_page_offers_the_filter_ticked_by_default(leader):
    page = leader.get(reverse("analytics:index")).content.decode()
    box = re.search(r'<input type="checkbox" name="include_imported"[^>]*>', page).group(0)
    assert "checked" in box
    assert '<input type="hidden" name="include_imported" value="0">' in page
    assert "include_imported=0" not in page
    unticked = leader.get(reverse("analytics:index"), {"include_imported": "0"}).content.decode()
    box = re.search(r'<input type="checkbox" name="include_imported"[^>]*>', unticked).group(0)
    assert "checked" not in box
    # The quarter and year links carry the choice.
    assert "&amp;include_imported=0" in unticked


def test_the_months_glance_follows_the_filter(county, client, make_user, tmp_path):
    import datetime as dt

    from django.utils import timezone

    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=3)
    rows = [
        ["编号", "登记时间", "纠纷类型", "简要情况", "所属乡镇", "所属村", "化解结果"],
        ["G-1", last_month.isoformat(), "邻里纠纷", "院墙滴水", "巩昌镇", "北关村", "调解成功"],
    ]
    assert run(write_xlsx(tmp_path / "台账.xlsx", rows))["created"] == 1
    make_user("leader", Role.LEADERSHIP, county[COUNTY])
    client.force_login(User.objects.get(username="leader"))
    figure = re.compile(r'<dd data-figure="received">(\d+)</dd>')
    page = client.get(reverse("analytics:index")).content.decode()
    assert figure.search(page).group(1) == "1"
    page = client.get(reverse("analytics:index"), {"include_imported": "0"}).content.decode()
    assert figure.search(page).group(1) == "0"
