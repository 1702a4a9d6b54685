"""A small stored early warning: matters with two hot cells (one per township), stored once.

Used by the early-warning tests here and in tests/browser/ (not fixtures: the browser tests run
in transactions of their own).
"""

from __future__ import annotations

import datetime as dt

from analytics.forecasting.records import StoredOutlook
from analytics.forecasting.store import store_outlook
from gridmap.models import Area
from incidents.models import Category
from tests.factories import HOT_GRID, place_matters

MONTHS = [dt.date(2026, month, 1) for month in (6, 7, 8, 9, 10)]
FORECAST_MONTH = dt.date(2026, 11, 1)
# One hot cell in each township: 甲镇1村第2网格 (HOT_GRID) and 乙乡2村第1网格.
OTHER_HOT_GRID = "621122101002001"
PER_MONTH = {HOT_GRID: 8, OTHER_HOT_GRID: 5}
# A quarter of the little county's 8 equal cells: the two hot ones.
SHARE = 0.25


def place_history(network: dict[str, Area], category: Category) -> None:
    """June to October 2026: 8 and 5 matters a month in the hot cells, 1 in every other cell."""
    for month in MONTHS:
        for code, area in network.items():
            if area.level == "grid":
                count = PER_MONTH.get(code, 1)
                place_matters(network, category, grid_code=code, month=month, count=count)


def stored_outlook(network: dict[str, Area], category: Category) -> StoredOutlook:
    """The county's stored outlook for November 2026 (flagging the two hot cells)."""
    place_history(network, category)
    stored = store_outlook(area=network["621122000000"], month=FORECAST_MONTH, share=SHARE)
    assert isinstance(stored, StoredOutlook)
    return stored
