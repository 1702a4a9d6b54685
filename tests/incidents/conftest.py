"""Incidents tests run with photos in a throw-away directory, fast password hashing and the
seeded categories; their fixtures (people, intake, walk …) are in tests/fixtures/incidents.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Every test here takes in matters: photos, users and categories as above."""
