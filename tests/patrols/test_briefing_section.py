"""The leadership briefing carries the month's patrol coverage (its own include section)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.patrols.test_coverage_and_retention import _patrol

pytestmark = pytest.mark.django_db


def test_the_briefing_of_a_month_shows_its_patrols(network, matters, people, tmp_path):
    start = timezone.make_aware(dt.datetime(2026, 10, 12, 9))
    _patrol(people["leader_a1"], start)
    call_command("briefing", "--area", "621122", "--period", "2026-10", "--output", str(tmp_path))
    html = (tmp_path / "briefing-621122000000-2026-10.html").read_text(encoding="utf-8")
    assert 'id="briefing-patrols"' in html
    assert "甲镇1村" in html.split('id="briefing-patrols"')[1]
    assert "1 / 8" not in html  # villages count their own grids: 1 / 2 for the walked one
    assert "1 / 2" in html.split('id="briefing-patrols"')[1]
