"""PAI, PEI, hit rate and Brier score against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.forecasting.backtest import ADDS_SKILL, NO_GAIN, NO_SKILL, BacktestRow, BacktestTable
from analytics.forecasting.yardsticks import Estimate, has_skill, outcome, score

# Five cells of 1, 4, 5, 10 and 80 area units (100 in all), ranked in this order by the forecast.
AREA = np.array([1.0, 4.0, 5.0, 10.0, 80.0])
SCORE = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
EVENTS = np.array([[2], [1], [3], [0], [4]])  # 10 matters
PROBABILITY = np.array([[0.9], [0.5], [0.5], [0.2], [0.1]])


@pytest.fixture
def scores() -> dict[str, Estimate]:
    return score([outcome(SCORE, AREA, PROBABILITY, EVENTS)], bootstrap=0)


def test_pai_is_captured_share_over_flagged_area_share(scores):
    # 1 %: cell 1 (area 1) holds 2 of 10 matters: 0.2 / 0.01 = 20.
    # 5 %: cells 1-2 (area 5) hold 3: 0.3 / 0.05 = 6.  10 %: cells 1-3 (area 10) hold 6: 6.
    assert scores["pai_1"].value == pytest.approx(20.0)
    assert scores["pai_5"].value == pytest.approx(6.0)
    assert scores["pai_10"].value == pytest.approx(6.0)


def test_pei_divides_by_the_best_flagging_at_the_same_share(scores):
    # Best order by matters per area: cell 1 (2), cell 3 (0.6), cell 2 (0.25), cell 5, cell 4.
    # 1 %: cell 1 again: PEI 1.  5 %: cells 1 and 3 (area 6) hold 5: 0.5 / 0.06 = 8.33,
    # so PEI = 6 / 8.33 = 0.72.  10 %: cells 1, 3, 2 (area 10) hold 6: 6, PEI 1.
    assert scores["pei_1"].value == pytest.approx(1.0)
    assert scores["pei_5"].value == pytest.approx(0.72)
    assert scores["pei_10"].value == pytest.approx(1.0)


def test_hit_rate_and_brier(scores):
    # At 5 % both flagged cells had a matter.  Brier: (0.1² + 0.5² + 0.5² + 0.2² + 0.9²) / 5.
    assert scores["hit_rate_5"].value == pytest.approx(1.0)
    assert scores["brier"].value == pytest.approx(1.36 / 5)


def test_periods_are_pooled():
    # The second period flags the same cells and catches nothing: captured 3 of 20 at 5 %.
    quiet = np.array([[0], [0], [0], [0], [10]])
    pooled = score(
        [
            outcome(SCORE, AREA, PROBABILITY, EVENTS),
            outcome(SCORE, AREA, PROBABILITY, quiet),
        ],
        bootstrap=0,
    )
    assert pooled["pai_5"].value == pytest.approx((3 / 20) / 0.05)


def test_skill_needs_the_whole_interval_above_one():
    base = {"pai_5": Estimate(1.4, 0.98, 1.9)}
    assert not has_skill(base)
    assert has_skill({"pai_5": Estimate(1.4, 1.02, 1.9)})


def _row(model: str, baseline: bool, pai: Estimate) -> BacktestRow:
    return BacktestRow(model, baseline, {"pai_5": pai}, seconds=0.0)


def test_verdict_names_skill_and_the_gain_over_the_best_baseline():
    table = BacktestTable(
        starts=[],
        rows=[
            _row("mean12", True, Estimate(5.0, 4.5, 5.5)),
            _row("kde", True, Estimate(6.0, 5.5, 6.5)),
            _row("glm", False, Estimate(6.3, 5.8, 6.8)),
            _row("hgb", False, Estimate(7.5, 7.0, 8.0)),
            _row("hawkes", False, Estimate(1.1, 0.9, 1.3)),
        ],
    )
    assert table.best_baseline().model == "kde"
    assert table.gain("glm") == pytest.approx(1.05)
    assert table.verdict("glm") == NO_GAIN
    assert table.verdict("hgb") == ADDS_SKILL
    assert table.verdict("hawkes") == NO_SKILL
