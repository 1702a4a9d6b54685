"""Fixtures for analytics: matters placed deterministically in the small test network."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.contrib.gis.geos import MultiPoint, Point
from django.utils import timezone

from accounts.choices import Role
from gridmap.models import Area
from incidents.choices import IncidentKind, Result, Satisfaction, Source, State, Tier
from incidents.models import Category, Incident
from incidents.routing import center_for

# The north-west cell of township A (tests/factories.py): most matters are planted there.
HOT_GRID = "621122100001002"


@pytest.fixture
def category(db) -> Category:
    category, _ = Category.objects.get_or_create(
        code="test-neighbours", defaults={"kind": IncidentKind.DISPUTE, "name": "邻里纠纷"}
    )
    return category


def place_matters(
    network: dict[str, Area], category: Category, *, grid_code: str, month: dt.date, count: int
) -> list[Incident]:
    """``count`` handled matters in one grid cell, received on the first days of ``month``."""
    grid = network[grid_code]
    village, township, county = grid.parent, grid.parent.parent, grid.parent.parent.parent
    unit = center_for(village)
    rng = np.random.default_rng(len(grid_code) + month.month + count)
    x0, y0, x1, y1 = grid.boundary.extent
    made = []
    for i in range(count):
        lon = x0 + (x1 - x0) * (0.2 + 0.6 * rng.random())
        lat = y0 + (y1 - y0) * (0.2 + 0.6 * rng.random())
        received = timezone.make_aware(dt.datetime.combine(month, dt.time(9))) + dt.timedelta(
            days=i % 20, minutes=i
        )
        point = Point(lon, lat, srid=4326)
        made.append(
            Incident.objects.create(
                kind=IncidentKind.DISPUTE,
                category=category,
                tier=Tier.ORDINARY,
                title=f"测试事项{i}",
                description="测试",
                location=point,
                locations=MultiPoint(point, srid=4326),
                grid=grid,
                village=village,
                township=township,
                county=county,
                source=Source.WINDOW,
                handling_unit=unit,
                state=State.FOLLOWED_UP,
                result=Result.RESOLVED,
                satisfaction=Satisfaction.SATISFIED,
                received_at=received,
                due_at=received + dt.timedelta(days=1),
                handled_at=received + dt.timedelta(hours=5),
                followed_up_at=received + dt.timedelta(hours=30),
            )
        )
    return made


@pytest.fixture
def matters(network, category) -> None:
    """October 2026: 12 matters in the hot cell, 1 in each other cell; September: 1 each."""
    for code, area in network.items():
        if area.level != "grid":
            continue
        place_matters(
            network,
            category,
            grid_code=code,
            month=dt.date(2026, 10, 1),
            count=12 if code == HOT_GRID else 1,
        )
        place_matters(network, category, grid_code=code, month=dt.date(2026, 9, 1), count=1)


@pytest.fixture
def county_leader(make_user, network):
    return make_user("county-leader", Role.LEADERSHIP, network["621122000000"])


@pytest.fixture
def township_leader(make_user, network):
    return make_user("township-leader", Role.LEADERSHIP, network["621122101000"])
