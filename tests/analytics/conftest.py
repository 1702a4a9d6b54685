"""Fixtures for analytics: leaders at county and township level. The matters they read
(``category``, ``matters``) are in tests/fixtures/analytics.py, shared with the browser tests."""

from __future__ import annotations

import pytest

from accounts.choices import Role


@pytest.fixture
def county_leader(make_user, network):
    return make_user("county-leader", Role.LEADERSHIP, network["621122000000"])


@pytest.fixture
def township_leader(make_user, network):
    return make_user("township-leader", Role.LEADERSHIP, network["621122101000"])
