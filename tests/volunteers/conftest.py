"""Fixtures for dispatch: the incidents fixtures, plus responders placed around the test network."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from incidents.models import Category
from tests.incidents.conftest import (  # noqa: F401  (fixtures shared with the incidents suite)
    as_user,
    categories,
    category_table,
    departments,
    fast_passwords,
    intake,
    media_in_tmp,
    people,
    scattered_matters,
    walk,
)
from volunteers.choices import ResponderKind, ResponderStatus
from volunteers.models import Responder


@pytest.fixture
def place_responder(network):
    """Make a responder at (lon, lat): home area ``home`` (a code), skilled in ``skills``, with
    the accounts ``members`` acting for it."""

    def make(name: str, lon: float, lat: float, **options) -> Responder:
        home = options.pop("home", "621122000000")
        skills = options.pop("skills", ("neighbours",))
        members = options.pop("members", ())
        minutes_ago = options.pop("minutes_ago", 1)
        unit = Responder.objects.create(
            name=name,
            kind=options.pop("kind", ResponderKind.MEDIATOR),
            home_area=network[home],
            position=Point(lon, lat, srid=4326),
            position_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
            status=options.pop("status", ResponderStatus.AVAILABLE),
            **options,
        )
        unit.skills.set(Category.objects.filter(code__in=skills))
        unit.members.set(members)
        return unit

    return make


@pytest.fixture
def routed(intake, walk):  # noqa: F811  (the imported fixtures, requested by name)
    """A neighbours' dispute in grid A1 south (104.605, 35.005), routed to its village center."""
    return walk(intake(), "routed")
