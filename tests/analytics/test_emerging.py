"""Emerging hot-spot classes on constructed series, and the Mann-Kendall test."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.choices import Trend
from analytics.emerging import classify, mann_kendall


@pytest.mark.parametrize(
    ("bins", "z", "expected"),
    [
        ([0, 0, 0, 0, 0, 3], [0.1, 0.3, -0.2, 0.0, 0.4, 4.0], Trend.NEW),
        ([0, 0, 0, 0, 2, 3], [0.1, 0.3, -0.2, 0.0, 2.5, 4.0], Trend.NEW),
        ([2, 2, 3, 3, 3, 3], [2.1, 2.4, 2.9, 3.3, 3.8, 4.5], Trend.INTENSIFYING),
        ([3, 3, 3, 3, 3, 3], [4.0, 3.6, 4.2, 3.9, 4.1, 3.8], Trend.PERSISTENT),
        ([3, 3, 3, 3, 2, 2], [5.0, 4.4, 3.9, 3.1, 2.6, 2.2], Trend.DIMINISHING),
        ([3, 0, 2, 0, 0, 3], [3.5, 0.2, 2.3, 0.1, 0.5, 3.4], Trend.SPORADIC),
        ([3, 3, 3, 3, 3, 0], [4.0, 4.0, 4.0, 4.0, 4.0, 0.5], Trend.NONE),
        ([1, 1, 1, 1, 1, 1], [1.7, 1.8, 1.7, 1.8, 1.7, 1.8], Trend.NONE),
    ],
)
def test_trend_class_of_a_constructed_series(bins, z, expected):
    assert classify(np.array(bins), np.array(z))[0] == expected


def test_mann_kendall_of_a_strictly_rising_series():
    # S = 15 (every pair rises), var = 6·5·17/18, z = 14/√28.33 = 2.630, p = 0.0085.
    result = mann_kendall(np.arange(6.0))
    assert result.s == 15
    assert result.tau == 1.0
    assert result.z == pytest.approx(14 / np.sqrt(6 * 5 * 17 / 18))
    assert result.p == pytest.approx(0.00854, abs=1e-4)


def test_mann_kendall_of_a_flat_series_has_no_trend():
    assert mann_kendall(np.ones(6)).p == 1.0
