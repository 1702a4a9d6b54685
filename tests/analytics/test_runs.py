"""Stored hot-spot runs on the test network: units, contiguity, counts, classes."""

from __future__ import annotations

import pytest

from analytics.choices import Unit, Weights
from analytics.models import HotspotRun
from analytics.periods import parse_period
from analytics.queries import contiguity_pairs
from analytics.services import AnalyticsInputError, run_hotspots
from tests.factories import HOT_GRID

pytestmark = pytest.mark.django_db
OCTOBER = parse_period("2026-10")


def test_rook_contiguity_of_the_four_by_two_cells(network):
    # 3 × 2 horizontal edges + 4 vertical edges.
    assert len(contiguity_pairs(network["621122000000"], Weights.ROOK)) == 10


def test_queen_contiguity_adds_the_diagonals(network):
    assert len(contiguity_pairs(network["621122000000"], Weights.QUEEN)) == 16


def test_a_run_stores_one_cell_per_grid_with_its_count(network, matters):
    run = run_hotspots(area=network["621122000000"], period=OCTOBER, with_trends=False)
    counts = dict(run.cells.values_list("key", "count"))
    assert len(counts) == 8
    assert counts[HOT_GRID] == 12
    assert run.incident_count == 19


def test_the_planted_cell_has_the_highest_z(network, matters):
    run = run_hotspots(area=network["621122000000"], period=OCTOBER, with_trends=False)
    z = dict(run.cells.values_list("key", "z"))
    # Its south neighbour shares its whole queen neighbourhood and ties with it.
    assert z[HOT_GRID] == pytest.approx(max(z.values()))
    assert z[HOT_GRID] > z["621122101002002"]


def test_a_run_records_its_period_filter_and_parameters(network, matters):
    run = run_hotspots(area=network["621122000000"], period=OCTOBER, kind="dispute")
    assert (run.period_label, run.filters["kind"], run.parameters["star"]) == (
        "2026-10",
        "dispute",
        True,
    )


def test_a_township_run_covers_only_its_cells(network, matters):
    run = run_hotspots(area=network["621122101000"], period=OCTOBER, with_trends=False)
    assert all(key.startswith("621122101") for key in run.cells.values_list("key", flat=True))


def test_h3_run_counts_every_matter(network, matters):
    run = run_hotspots(area=network["621122000000"], period=OCTOBER, unit=Unit.H3_9)
    assert sum(run.cells.values_list("count", flat=True)) == 19
    assert run.weights == Weights.RING


def test_rates_need_population(network, matters):
    with pytest.raises(AnalyticsInputError):
        run_hotspots(area=network["621122000000"], period=OCTOBER, measure="rate")
    assert not HotspotRun.objects.exists()
