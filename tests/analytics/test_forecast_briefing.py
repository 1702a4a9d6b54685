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
    text = section(briefing(client, township_leader, "621122101000"))
    assert "Early warning: where to watch next month" in text
    assert "November 2026" in text
    assert network[OTHER_HOT_GRID].name in text
    assert network[HOT_GRID].name not in text
    assert network[OTHER_HOT_GRID].parent.name in text  # the village to watch
    assert "last month" in text  # why: the lags that drove it
    assert "over the last 2 months" in text  # the backtest, in plain words


def test_a_forecast_without_skill_is_called_a_guess(client, stored, county_leader):
    stored.verdict, stored.pai, stored.pai_low, stored.pai_high = NO_SKILL, 1.0, 0.4, 1.6
    stored.save()
    text = section(briefing(client, county_leader, "621122000000"))
    assert "No measured skill" in text
    assert 'class="no-skill"' in text


def test_without_a_stored_outlook_the_section_says_so(client, county_leader, matters):
    text = section(briefing(client, county_leader, "621122000000"))
    assert "No early warning is stored for next month yet" in text
