"""The authorization matrix's world: built once per module, each probe in its own savepoint."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from tests.factories import seed_categories
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """Users and objects of both sides, rolled back when the module ends.

    pytest-django's ``db`` fixture nests each test in a savepoint of this outer transaction, so
    a probe that writes (a cancel, an accept) leaves nothing for the next one.
    """
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        seed_categories()
        built = build_world()
        yield built
        transaction.set_rollback(True)
