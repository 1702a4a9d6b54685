"""The safety index formula on hand-computed numbers."""

from __future__ import annotations

import pytest

from analytics.safety import Inputs, compute, config
from incidents.choices import Tier
from incidents.rates import Rates

RATES = Rates(handled=10, resolved=8, on_time=9, followed_up=5, satisfied=3, basically=1)
HAZARDS = Rates(handled=4, resolved=3)
TIERS = {Tier.ORDINARY: 4, Tier.LARGER: 1, Tier.MAJOR: 1}


def test_index_on_hand_computed_numbers():
    # Tier-weighted 4·1 + 1·2 + 1·4 = 10 per 5,000 residents a month = 2 per 1,000: burden
    # 100·(1 − 2/4) = 50; major 1/5 = 0.2 per 1,000: 100·(1 − 0.2/0.5) = 60; success 80, on time
    # 90, rectification 75, satisfaction 80. Index = .25·50 + .15·(60+80+90+75+80) = 70.25.
    value = compute(Inputs(5000, 1, TIERS, RATES, HAZARDS))
    assert value.parts == {
        "burden": 50.0,
        "major": 60.0,
        "success": 80.0,
        "on_time": 90.0,
        "rectification": 75.0,
        "satisfaction": 80.0,
    }
    assert value.score == 70.25


def test_a_quarter_divides_the_burden_by_its_months():
    # The same matters over three months: 2/3 per 1,000 a month → burden 100·(1 − (2/3)/4).
    value = compute(Inputs(5000, 3, TIERS, RATES, HAZARDS))
    assert value.parts["burden"] == pytest.approx(100 * (1 - (2 / 3) / 4))


def test_without_population_the_other_weights_are_renormalised():
    # (.15·80 + .15·90 + .15·75 + .15·80) / .6 = 81.25
    assert compute(Inputs(None, 1, TIERS, RATES, HAZARDS)).score == 81.25


def test_nothing_to_compute_gives_no_index():
    assert compute(Inputs(None, 1, {}, Rates(), Rates())).score is None


def test_settings_override_a_weight(settings):
    settings.SAFETY_INDEX = {"weights": {"burden": 0.0}}
    # Burden weight 0: (.15·(60+80+90+75+80)) / .75 = 77.0
    assert compute(Inputs(5000, 1, TIERS, RATES, HAZARDS), config()).score == 77.0
