"""Dispatch tests run like the incidents tests (tests/incidents/conftest.py); the responders and
the routed matter they use are in tests/fixtures/volunteers.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Photos in a throw-away directory, fast password hashing, the seeded categories."""
