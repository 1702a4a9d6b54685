"""The forecasts on the database: the count cube, the outlook and ``manage.py forecast``."""

from __future__ import annotations

import datetime as dt
import io

import h3
import pytest
from django.core.management import CommandError, call_command

from analytics.forecasting.data import load_history
from analytics.forecasting.groups import GROUP_CODES
from analytics.forecasting.outlook import area_outlook
from tests.factories import HOT_GRID, place_matters

MONTHS = [dt.date(2026, month, 1) for month in (6, 7, 8, 9, 10)]
HOT_PER_MONTH = 6


@pytest.fixture
def history_matters(network, category) -> None:
    """June to October 2026: 6 matters a month in the hot cell, 1 in every other cell."""
    for month in MONTHS:
        for code, area in network.items():
            if area.level == "grid":
                count = HOT_PER_MONTH if code == HOT_GRID else 1
                place_matters(network, category, grid_code=code, month=month, count=count)


def test_cube_counts_matters_per_cell_group_and_month(network, history_matters):
    history = load_history(network["621122000000"], end=dt.date(2026, 11, 1))
    # Leading months without matters are dropped; the last month is October.
    assert history.starts == MONTHS
    assert history.counts.shape == (5, 8, len(GROUP_CODES))
    hot = history.keys.index(HOT_GRID)
    # The test category (a dispute not in the seeded table) falls into the other disputes.
    other = GROUP_CODES.index("dispute-other")
    assert list(history.counts[:, hot, other]) == [HOT_PER_MONTH] * 5
    assert history.counts.sum() == 5 * (HOT_PER_MONTH + 7)
    assert history.adjacency[hot].nnz == 3  # the county's north-west corner: 3 neighbours


@pytest.mark.parametrize("model", ["mean3", "kde", "glm", "hawkes"])
def test_outlook_flags_the_hot_cell_first(network, history_matters, model):
    outlook = area_outlook(network["621122000000"], dt.date(2026, 11, 1), model=model, share=0.1)
    first = outlook.cells[0]
    assert outlook.start == dt.date(2026, 11, 1)
    assert first.key == HOT_GRID
    assert first.village == network[HOT_GRID].parent.name
    assert first.groups[0].group == "dispute-other"
    assert first.expected > 2
    assert 0.5 < first.probability <= 1


def test_glm_outlook_names_its_drivers(network, history_matters):
    outlook = area_outlook(network["621122000000"], dt.date(2026, 11, 1), model="glm", share=0.1)
    assert outlook.cells[0].drivers
    assert outlook.cells[0].lags["own_last"] == HOT_PER_MONTH


def test_command_prints_flagged_cells_and_the_backtest(network, history_matters):
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", area="621122", month="2026-11", backtest=True, stdout=out, stderr=err)
    text = out.getvalue()
    assert HOT_GRID in text
    assert "PAI 5%" in text
    assert "glm *" in text
    assert "backtest glm" in err.getvalue()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"area": "999999", "month": "2026-11"}, "999999"),
        ({"area": "621122", "month": "2026-13"}, "2026-13"),
        ({"area": "621122", "month": "2026-11", "model": "crystal-ball"}, "crystal-ball"),
        ({"area": "621122", "month": "2026-01"}, "2026-01-01"),
    ],
)
def test_command_explains_bad_input(network, history_matters, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("forecast", **options, stdout=io.StringIO(), stderr=io.StringIO())


def test_h3_outlook_counts_every_matter_and_flags_the_hot_cells_hexagon(network, history_matters):
    county = network["621122000000"]
    history = load_history(county, end=dt.date(2026, 11, 1), h3_resolution=8)
    assert history.counts.sum() == 5 * (HOT_PER_MONTH + 7)
    outlook = area_outlook(county, dt.date(2026, 11, 1), model="mean3", h3_resolution=8)
    lat, lon = h3.cell_to_latlng(outlook.cells[0].key)
    x0, y0, x1, y1 = network[HOT_GRID].boundary.extent
    assert x0 - 0.005 < lon < x1 + 0.005
    assert y0 - 0.005 < lat < y1 + 0.005
