"""The two forms of the visibility rule agree: the queryset filter and the one-row check."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from incidents.queries import visible_incident_by_pk, visible_incidents


@pytest.mark.django_db
def test_the_row_check_sees_exactly_what_the_queryset_lets_through(
    scattered_matters, people, network, make_user, departments
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
        for matter in scattered_matters:
            by_queryset = visible_incidents(user).filter(pk=matter.pk).exists()
            by_row = visible_incident_by_pk(user, matter.pk) is not None
            assert by_row == by_queryset, (user.username, matter.pk)
            seen_somewhere.add(by_row)
    assert seen_somewhere == {True, False}  # the matrix holds both answers
