"""Dispatch tests run like the incidents tests (tests/incidents/conftest.py); the responders and
the routed matter they use are in tests/fixtures/volunteers.py, the offer the API tests act on
is here."""

from __future__ import annotations

import pytest

from tests.volunteers.api_helpers import PHONE
from volunteers.models import Assignment
from volunteers.services import assign


@pytest.fixture(autouse=True)
def incidents_environment(media_in_tmp, fast_passwords, category_table) -> None:
    """Photos in a throw-away directory, fast password hashing, the seeded categories."""


@pytest.fixture
def near(place_responder, people):
    """A village mediator 180 m east of the matter; the ``responder`` account acts for it."""
    return place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", phone=PHONE, members=[people["responder"]]
    )


@pytest.fixture
def offered(routed, near, people) -> Assignment:
    """The routed matter offered to ``near`` by the village dispatcher."""
    return assign(incident_id=routed.pk, actor=people["village"], responder_id=near.pk).assignment
