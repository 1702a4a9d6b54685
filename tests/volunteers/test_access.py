"""Who may dispatch a matter: the one-statement answer of the dispatch API and pages agrees with
the rules it stands for (see the matter, then dispatch for its handling unit)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.choices import Role
from incidents.choices import State
from volunteers.access import dispatchable_incident, visible_incident
from volunteers.services import dispatches_for

pytestmark = pytest.mark.django_db


def by_the_rules(user: object, pk: int) -> int:
    try:
        incident = visible_incident(user, pk)
    except Http404:
        return 404
    return 200 if dispatches_for(user, incident) else 403


def answered(user: object, pk: int) -> int:
    try:
        dispatchable_incident(user, pk)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return 200


def test_the_one_statement_answer_is_the_rules_answer(
    scattered_matters,
    intake,
    walk,
    people,
    network,
    make_user,
    departments,
):
    matters = [*scattered_matters, walk(intake(), State.ROUTED)]
    # Members of the department: a dispatcher of another township, a grid leader, and a
    # dispatcher without a jurisdiction (who sees nothing, member or not).
    members = [
        make_user("dept_dispatcher", Role.DISPATCHER, network["621122101000"]),
        make_user("dept_leader", Role.GRID_LEADER, network["621122101001001"]),
        make_user("dept_nowhere", Role.DISPATCHER, None),
    ]
    departments["report_back"].members.add(*members)
    users = [
        *people.values(),
        *members,
        make_user("township_b", Role.DISPATCHER, network["621122101000"]),
    ]
    answers = set()
    for user in users:
        for matter in matters:
            expected = by_the_rules(user, matter.pk)
            assert answered(user, matter.pk) == expected, (user.username, matter.pk)
            answers.add(expected)
        assert answered(user, 10**9) == 404
    assert answers == {200, 403, 404}  # the matrix holds every answer
