"""Routing: the lowest common area's center, the county for joint matters, overrides, transfers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents import services
from incidents.choices import State
from incidents.queries import visible_incidents
from incidents.routing import center_for, covering_code
from incidents.services import IncidentInputError
from tests.factories import (
    IN_GRID_A1_NORTH,
    IN_GRID_A1_SOUTH,
    IN_GRID_A2_SOUTH,
    IN_GRID_B1_SOUTH,
)

CASES = [
    ([IN_GRID_A1_SOUTH], False, "621122100001"),
    ([IN_GRID_A1_SOUTH, IN_GRID_A1_NORTH], False, "621122100001"),
    ([IN_GRID_A1_SOUTH, IN_GRID_A2_SOUTH], False, "621122100000"),
    ([IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH], False, "621122000000"),
    ([IN_GRID_A1_SOUTH], True, "621122000000"),
]


@pytest.mark.parametrize(
    ("points", "multi_department", "center_area"),
    CASES,
    ids=[
        "one-grid-village",
        "two-grids-of-one-village",
        "two-villages-township",
        "two-townships-county",
        "several-departments-county",
    ],
)
def test_intake_routes_to_the_center_of_the_lowest_common_area(
    intake, people, points, multi_department, center_area
):
    incident = intake(reporter=people["county"], points=points, multi_department=multi_department)

    assert incident.handling_unit.area.code == center_area
    assert incident.handling_unit.kind == "center"


def test_covering_code_of_two_villages_is_their_township():
    codes = ["621122100001001", "621122100002002"]

    assert covering_code(codes, multi_department=False) == "621122100000"


def test_assessment_that_adds_departments_routes_to_the_county(intake, people, network):
    incident = intake()
    services.assess(incident_id=incident.pk, actor=people["village"], multi_department=True)

    services.route(incident_id=incident.pk, actor=people["village"])

    incident.refresh_from_db()
    assert incident.handling_unit == center_for(network["621122000000"])
    assert incident.route_override_reason == ""


def test_override_with_a_reason_is_recorded(intake, people, network):
    incident = intake()
    services.assess(incident_id=incident.pk, actor=people["village"])
    township_center = center_for(network["621122100000"])

    services.route(
        incident_id=incident.pk,
        actor=people["village"],
        override_unit=township_center,
        override_reason="涉及两村用水",
    )

    incident.refresh_from_db()
    assert incident.handling_unit == township_center
    assert incident.route_override_reason == "涉及两村用水"
    event = incident.events.last()
    assert event.data["override_reason"] == "涉及两村用水"
    assert (event.data["rule_unit"], event.data["to_unit"]) == (
        "center-621122100001",
        "center-621122100000",
    )


def test_override_without_a_reason_is_refused_and_changes_nothing(intake, people, network):
    incident = intake()
    services.assess(incident_id=incident.pk, actor=people["village"])

    with pytest.raises(IncidentInputError) as error:
        services.route(
            incident_id=incident.pk,
            actor=people["village"],
            override_unit=center_for(network["621122100000"]),
            override_reason="  ",
        )

    assert "override_reason" in error.value.errors
    incident.refresh_from_db()
    assert incident.state == State.ASSESSED


@pytest.fixture
def routed(intake, walk):
    """A matter in grid A1 south, routed to its village center."""
    return walk(intake(), State.ROUTED)


@pytest.fixture
def send(routed, people):
    """Transfer the routed matter as the village dispatcher; return it fresh from the database."""

    def run(to_unit, note: str = "转办", **kwargs):
        services.transfer(
            incident_id=routed.pk, actor=people["village"], to_unit=to_unit, note=note, **kwargs
        )
        routed.refresh_from_db()
        return routed

    return run


def test_transfer_to_a_report_back_department_sets_the_report_back_time(send, departments):
    matter = send(departments["report_back"], "属住建部门职责")

    assert matter.handling_unit == departments["report_back"]
    assert matter.report_back_due_at == matter.due_at


def test_transfer_with_a_given_report_back_time_keeps_it(send, departments):
    by = timezone.now() + dt.timedelta(days=3)

    matter = send(departments["report_back"], "限期反馈", report_back_by=by)

    assert matter.report_back_due_at == by


def test_transfer_to_an_on_site_department_sets_no_report_back_time(send, departments):
    matter = send(departments["on_site"], "信访局现场办理")

    assert matter.handling_unit == departments["on_site"]
    assert matter.report_back_due_at is None


@pytest.fixture
def clerk(departments, network, make_user):
    """A report-back department member whose jurisdiction (township B) lacks grid A1."""
    user = make_user("clerk", Role.DISPATCHER, network["621122101000"])
    departments["report_back"].members.add(user)
    return user


def test_transferred_matter_shows_in_the_departments_queue(routed, send, departments, clerk):
    assert not visible_incidents(clerk).filter(pk=routed.pk).exists()

    send(departments["report_back"], "转住建局")

    assert visible_incidents(clerk).filter(pk=routed.pk).exists()


def test_department_member_can_start_the_transferred_matter(send, departments, clerk):
    matter = send(departments["report_back"], "转住建局")

    services.start(incident_id=matter.pk, actor=clerk)

    matter.refresh_from_db()
    assert (matter.state, matter.handler) == (State.IN_PROGRESS, clerk)


def test_transfer_to_a_window_unit_sets_the_report_back_time(send, departments):
    matter = send(departments["window"], "转法院窗口")

    assert matter.report_back_due_at == matter.due_at


def test_transfer_to_the_same_unit_is_refused(routed, people):
    with pytest.raises(services.WorkflowError, match="already with"):
        services.transfer(
            incident_id=routed.pk,
            actor=people["village"],
            to_unit=routed.handling_unit,
            note="重复",
        )


def test_transfer_without_a_reason_is_an_input_error(routed, people, departments):
    with pytest.raises(IncidentInputError) as error:
        services.transfer(
            incident_id=routed.pk, actor=people["village"], to_unit=departments["on_site"], note=""
        )

    assert "note" in error.value.errors
