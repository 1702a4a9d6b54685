"""Fixtures for incidents: users at each level of the test network, departments, a quick intake."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from incidents.choices import DepartmentMode, UnitKind
from incidents.models import HandlingUnit
from incidents.services import IntakeRequest, take_in

# Points inside the test network (tests/factories.py): grid 621122100001001 is the south-west
# cell [104.60, 104.61] × [35.00, 35.01].
IN_GRID_A1_SOUTH = (104.605, 35.005)
IN_GRID_A1_NORTH = (104.605, 35.015)
IN_GRID_A2_SOUTH = (104.615, 35.005)
IN_GRID_B1_SOUTH = (104.625, 35.005)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(network, make_user) -> dict[str, object]:
    """A county dispatcher, a township dispatcher, two grid leaders, a leader, a responder."""
    return {
        "county": make_user("county", Role.DISPATCHER, network["621122000000"]),
        "admin": make_user("admin", Role.COUNTY_ADMIN, network["621122000000"]),
        "township": make_user("township", Role.DISPATCHER, network["621122100000"]),
        "village": make_user("village", Role.DISPATCHER, network["621122100001"]),
        "leader_a1": make_user("leader_a1", Role.GRID_LEADER, network["621122100001001"]),
        "leader_b1": make_user("leader_b1", Role.GRID_LEADER, network["621122101001001"]),
        "boss": make_user("boss", Role.LEADERSHIP, network["621122000000"]),
        "responder": make_user("responder", Role.RESPONDER, network["621122100000"]),
    }


@pytest.fixture
def departments(network) -> dict[str, HandlingUnit]:
    """One department of each handling mode, seated at the county center."""
    county = network["621122000000"]
    return {
        mode: HandlingUnit.objects.create(
            code=f"dept-{mode}",
            name=f"部门{mode}",
            kind=UnitKind.DEPARTMENT,
            mode=mode,
            area=county,
        )
        for mode in DepartmentMode.values
    }


def intake_request(**overrides) -> IntakeRequest:
    """A valid field report of a neighbours' dispute in grid A1 south, changed by ``overrides``."""
    values = {
        "category": "neighbours",
        "tier": "ordinary",
        "title": "邻里因排水沟发生争执",
        "description": "两户因院墙排水问题争吵，需调解。",
        "points": [IN_GRID_A1_SOUTH],
    }
    values.update(overrides)
    return IntakeRequest(**values)


@pytest.fixture
def intake(people):
    """Take in a matter as ``reporter`` (default: grid leader A1) and return the Incident."""

    def run(reporter=None, **overrides):
        result = take_in(
            request=intake_request(**overrides), reporter=reporter or people["leader_a1"]
        )
        return result.incident

    return run
