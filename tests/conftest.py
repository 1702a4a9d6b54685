"""Fixtures shared by every suite: a real PostGIS database, a small named network, users."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from gridmap.models import Area
from tests.factories import make_network


@pytest.fixture
def network(db) -> dict[str, Area]:
    """The 1 county / 2 townships / 4 villages / 8 grids network of tests.factories."""
    return make_network()


@pytest.fixture
def make_user(db, django_user_model):
    """Build a user with a role and a jurisdiction area."""

    def build(username: str, role: str = Role.DISPATCHER, jurisdiction: Area | None = None):
        return django_user_model.objects.create_user(
            username=username, password="test-pass-123", role=role, jurisdiction=jurisdiction
        )

    return build
