"""The monthly briefing's early-warning section: next month's cells, villages, why, the skill."""

from __future__ import annotations

import pytest
from django.urls import reverse

from analytics.forecasting.backtest import NO_SKILL
from tests.analytics.warning_data import OTHER_HOT_GRID, stored_outlook
from tests.factories import HOT_GRID


@pytest.fixture
def stored(network, category):
    return stored_outlook(network, category)


def briefing(client, user, area: str) -> str:
    client.force_login(user)
    response = client.get(reverse("analytics:briefing"), {"area": area, "period": "2026-10"})
    assert response.status_code == 200
    return response.content.decode()


def section(page: str) -> str:
    start = page.index('<section id="early-warning">')
    return page[start : page.index("</section>", start)]


def test_the_october_briefing_warns_of_november_cells_with_why_and_skill(
    client, stored, township_leader, network
):
    # Briefings are written in the county's language (Simplified Chinese), whoever asks.
    text = section(briefing(client, township_leader, "621122101000"))
    assert "预警：下月需关注的地方" in text
    assert "2026-11" in text
    assert network[OTHER_HOT_GRID].name in text
    assert network[HOT_GRID].name not in text
    assert f"{network[OTHER_HOT_GRID].parent.name} (1 个网格)" in text  # the village to watch
    assert "本网格" in text  # why: the lags that drove it ("本网格上月的事项" …)
    assert "在最近 2 个月的回测中" in text  # the backtest, in plain words


def test_a_forecast_without_skill_is_called_a_guess(client, stored, county_leader):
    stored.verdict, stored.pai, stored.pai_low, stored.pai_high = NO_SKILL, 1.0, 0.4, 1.6
    stored.save()
    text = section(briefing(client, county_leader, "621122000000"))
    assert "未测得预测能力" in text
    assert "只能当作猜测" in text
    assert 'class="no-skill"' in text


def test_without_a_stored_outlook_the_section_says_so(client, county_leader, matters):
    text = section(briefing(client, county_leader, "621122000000"))
    assert "下月预警尚未保存" in text
