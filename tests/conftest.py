"""Fixtures shared by every suite: a real PostGIS database, a small named network, users."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from accounts.choices import Role
from gridmap.models import Area
from tests.factories import make_network

# The analytics suite runs last. It builds the test network dozens of
# times; its rolled-back rows let autovacuum record gridmap's tables as empty (reltuples = 0),
# and test_demo's UPDATE … IN (join) then plans as a triple nested loop over the freshly loaded
# demo that ran for minutes. Left of gridmap alphabetically, analytics would run first.
SUITE_ORDER = ("accounts", "config", "gridmap", "incidents", "volunteers", "analytics")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Analytics last, the other suites in their usual order (stable within a suite)."""

    def layer(item: pytest.Item) -> int:
        parts = item.nodeid.split("/")
        suite = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return SUITE_ORDER.index(suite) if suite in SUITE_ORDER else 0

    items.sort(key=layer)


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


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read English messages; tests of the Chinese default ask for zh-hans explicitly."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """A test client whose browser asks for English (the site's default is Simplified Chinese)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def zh_client() -> Client:
    """A test client with no language preference: the site answers in Simplified Chinese."""
    return Client()
