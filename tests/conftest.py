"""Fixtures shared by every suite: a real PostGIS database, a small named network, users."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from accounts.choices import Role
from gridmap.models import Area
from tests.factories import make_network

# Fixtures that several packages use, each defined once; a package's conftest.py makes autouse
# the ones its tests always run with (none of these is autouse itself).
pytest_plugins = [
    "tests.fixtures.incidents",
    "tests.fixtures.volunteers",
    "tests.fixtures.analytics",
]


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


@pytest.fixture
def plain_static_storage(settings) -> None:
    """Static files by their plain names: the manifest storage would need collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
