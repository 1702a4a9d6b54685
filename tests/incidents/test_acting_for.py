"""The two forms of "acts for a handling unit" agree: the ORM query and the SQL expression that
the dispatch lock reads in the same statement as the matter."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.choices import Role
from gridmap.choices import AreaLevel
from incidents.models import HandlingUnit
from incidents.routing import center_for
from incidents.services import ACTS_FOR_UNIT_SQL, acts_for_unit, acts_for_unit_params


def acts_by_sql(user: object, unit_id: int | None) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {ACTS_FOR_UNIT_SQL} FROM (SELECT %(unit)s::bigint AS handling_unit_id) i",
            {"unit": unit_id, **acts_for_unit_params(user)},
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_sql_form_answers_as_acts_for_unit(people, network, make_user, departments):
    member = make_user("dept_member", Role.DISPATCHER, network["621122101000"])
    leader_member = make_user("leader_member", Role.GRID_LEADER, network["621122101001001"])
    for user in (member, leader_member):
        departments["report_back"].members.add(user)
    users = [
        *people.values(),
        member,
        leader_member,
        make_user("township_b", Role.DISPATCHER, network["621122101000"]),
        make_user("nowhere", Role.DISPATCHER, None),
    ]
    for area in network.values():
        if area.level != AreaLevel.GRID:
            center_for(area)
    units = [*HandlingUnit.objects.values_list("pk", flat=True), None]
    answers = set()
    for user in users:
        for unit_id in units:
            by_orm = acts_for_unit(user, unit_id)
            assert acts_by_sql(user, unit_id) == by_orm, (user.username, unit_id)
            answers.add(by_orm)
    assert answers == {True, False}  # the matrix holds both answers
