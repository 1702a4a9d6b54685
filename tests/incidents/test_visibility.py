"""The two forms of the visibility rule agree: the queryset filter and the one-row check."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from incidents import services
from incidents.choices import State
from incidents.queries import visible_incident_by_pk, visible_incidents
from incidents.routing import center_for
from tests.incidents.conftest import IN_GRID_A2_SOUTH, IN_GRID_B1_SOUTH


@pytest.fixture
def matters(intake, people, walk, network, departments) -> list:
    """Matters in another village, another township, transferred to a township and a department."""
    in_a1 = intake()
    in_a2 = intake(reporter=people["village"], points=[IN_GRID_A2_SOUTH])
    in_b1 = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH])
    to_township_b = walk(intake(), State.ROUTED)
    services.transfer(
        incident_id=to_township_b.pk,
        actor=people["village"],
        to_unit=center_for(network["621122101000"]),
        note="当事人住乙乡",
    )
    to_department = walk(intake(), State.ROUTED)
    services.transfer(
        incident_id=to_department.pk,
        actor=people["village"],
        to_unit=departments["report_back"],
        note="转县部门",
    )
    return [in_a1, in_a2, in_b1, to_township_b, to_department]


@pytest.mark.django_db
def test_the_row_check_sees_exactly_what_the_queryset_lets_through(
    matters, people, network, make_user, departments
):
    member = make_user("dept_member", Role.DISPATCHER, network["621122101000"])
    departments["report_back"].members.add(member)
    users = [
        *people.values(),
        member,
        make_user("township_b", Role.DISPATCHER, network["621122101000"]),
        make_user("nowhere", Role.DISPATCHER, None),
    ]
    seen_somewhere = set()
    for user in users:
        for matter in matters:
            by_queryset = visible_incidents(user).filter(pk=matter.pk).exists()
            by_row = visible_incident_by_pk(user, matter.pk) is not None
            assert by_row == by_queryset, (user.username, matter.pk)
            seen_somewhere.add(by_row)
    assert seen_somewhere == {True, False}  # the matrix holds both answers
