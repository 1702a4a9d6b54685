"""Deadlines: overdue detection, escalation to the parent center, the cron command, supervision."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from incidents import services
from incidents.choices import EventKind, State
from incidents.models import Incident, IncidentEvent
from incidents.queries import overdue_q
from incidents.routing import center_for
from incidents.services import IncidentInputError, WorkflowError, escalate_overdue
from tests.factories import (
    IN_GRID_A1_SOUTH,
    IN_GRID_A2_SOUTH,
    IN_GRID_B1_SOUTH,
    intake_request,
)

TWO_DAYS_AGO = dt.timedelta(days=2)


@pytest.fixture
def overdue(people):
    """Take in an ordinary matter two days ago (due one day ago) as the county dispatcher."""

    def run(points=(IN_GRID_A1_SOUTH,), **overrides) -> Incident:
        return services.take_in(
            request=intake_request(points=list(points), **overrides),
            reporter=people["county"],
            now=timezone.now() - TWO_DAYS_AGO,
        ).incident

    return run


def test_open_matter_past_its_due_time_is_overdue(overdue, intake):
    late = overdue()
    on_time = intake()

    assert late.is_overdue
    assert not on_time.is_overdue
    assert list(Incident.objects.filter(overdue_q()).values_list("pk", flat=True)) == [late.pk]


def test_handled_matter_is_not_overdue(overdue, walk):
    late = walk(overdue(), State.RESOLVED)

    assert not late.is_overdue
    assert not Incident.objects.filter(overdue_q()).exists()


def test_matter_past_its_report_back_time_is_overdue(intake):
    matter = intake()
    Incident.objects.filter(pk=matter.pk).update(
        report_back_due_at=timezone.now() - dt.timedelta(hours=1)
    )

    assert Incident.objects.filter(overdue_q(), pk=matter.pk).exists()


@pytest.mark.parametrize(
    ("points", "from_area", "to_area"),
    [
        ([IN_GRID_A1_SOUTH], "621122100001", "621122100000"),
        ([IN_GRID_A1_SOUTH, IN_GRID_A2_SOUTH], "621122100000", "621122000000"),
        ([IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH], "621122000000", "621122000000"),
    ],
    ids=["village-to-township", "township-to-county", "county-stays"],
)
def test_escalation_moves_to_the_parent_center(overdue, network, points, from_area, to_area):
    matter = overdue(points=points)
    assert matter.handling_unit == center_for(network[from_area])

    escalate_overdue()

    matter.refresh_from_db()
    assert matter.handling_unit == center_for(network[to_area])


def test_overdue_department_matter_escalates_to_the_county_center(
    overdue, walk, people, departments, network
):
    matter = walk(overdue(), State.ROUTED)
    services.transfer(
        incident_id=matter.pk,
        actor=people["county"],
        to_unit=departments["report_back"],
        note="转住建局",
    )

    escalate_overdue()

    matter.refresh_from_db()
    assert matter.handling_unit == center_for(network["621122000000"])


def test_escalation_marks_the_matter_and_writes_one_system_event(overdue):
    matter = overdue()
    now = timezone.now()

    report = escalate_overdue(now=now)

    matter.refresh_from_db()
    assert matter.escalated_at == now
    event = matter.events.get(kind=EventKind.ESCALATE)
    assert (event.actor, event.from_state, event.to_state) == (None, State.RECEIVED, State.RECEIVED)
    assert (event.data["from_unit"], event.data["to_unit"]) == (
        "center-621122100001",
        "center-621122100000",
    )
    assert (report.overdue, report.escalated) == (1, 1)


def test_second_run_changes_nothing(overdue):
    matter = overdue()
    escalate_overdue()
    matter.refresh_from_db()
    events = IncidentEvent.objects.count()

    report = escalate_overdue()

    again = Incident.objects.get(pk=matter.pk)
    assert (report.overdue, report.escalated) == (1, 0)
    assert (again.handling_unit, again.escalated_at) == (matter.handling_unit, matter.escalated_at)
    assert IncidentEvent.objects.count() == events


def test_matters_on_time_or_handled_are_not_escalated(overdue, intake, walk):
    on_time = intake()
    handled = walk(overdue(), State.RESOLVED)

    report = escalate_overdue()

    assert report.escalated == 0
    for matter in (on_time, handled):
        fresh = Incident.objects.get(pk=matter.pk)
        assert (fresh.handling_unit, fresh.escalated_at) == (matter.handling_unit, None)


def test_reopening_clears_the_escalation_mark(overdue, walk, people):
    matter = walk(overdue(), State.IN_PROGRESS)
    escalate_overdue()
    # Escalated to the township center: its dispatcher finishes, the county visits.
    services.resolve(incident_id=matter.pk, actor=people["township"], outcome="已调处")
    services.follow_up(incident_id=matter.pk, actor=people["county"], satisfaction="dissatisfied")

    services.reopen(incident_id=matter.pk, actor=people["county"], note="重新调处")

    matter.refresh_from_db()
    assert matter.escalated_at is None
    assert not matter.is_overdue


# --- the command ----------------------------------------------------------------------------------


def test_check_deadlines_escalates_and_prints_a_summary(overdue, intake):
    matter = overdue()
    intake()
    out = io.StringIO()

    call_command("check_deadlines", stdout=out)

    assert "1 overdue open matters; 1 escalated now." in out.getvalue()
    assert Incident.objects.get(pk=matter.pk).escalated_at is not None


def test_check_deadlines_twice_escalates_once(overdue):
    overdue()
    call_command("check_deadlines", stdout=io.StringIO())
    out = io.StringIO()

    call_command("check_deadlines", stdout=out)

    assert "1 overdue open matters; 0 escalated now." in out.getvalue()
    assert IncidentEvent.objects.filter(kind=EventKind.ESCALATE).count() == 1


def test_check_deadlines_dry_run_reports_and_changes_nothing(overdue):
    matter = overdue()
    out = io.StringIO()

    call_command("check_deadlines", "--dry-run", "--verbosity", "2", stdout=out)

    assert "1 would be escalated" in out.getvalue()
    assert f"matter {matter.pk}: center-621122100001 → center-621122100000" in out.getvalue()
    fresh = Incident.objects.get(pk=matter.pk)
    assert (fresh.handling_unit, fresh.escalated_at) == (matter.handling_unit, None)
    assert not IncidentEvent.objects.filter(kind=EventKind.ESCALATE).exists()


# --- supervision ----------------------------------------------------------------------------------


def test_leadership_supervises_and_owns_a_matter(intake, people):
    matter = intake()

    services.set_supervision(
        incident_id=matter.pk, actor=people["boss"], supervised=True, owner_leader=people["boss"]
    )

    matter.refresh_from_db()
    assert (matter.supervised, matter.owner_leader) == (True, people["boss"])
    event = matter.events.get(kind=EventKind.SUPERVISION)
    assert event.data["after"] == {"supervised": True, "owner_leader": people["boss"].pk}


def test_county_admin_may_supervise(intake, people):
    matter = intake()

    services.set_supervision(incident_id=matter.pk, actor=people["admin"], supervised=True)

    matter.refresh_from_db()
    assert matter.supervised


def test_dispatcher_may_not_supervise(intake, people):
    matter = intake()

    with pytest.raises(WorkflowError, match="Only leadership"):
        services.set_supervision(incident_id=matter.pk, actor=people["county"], supervised=True)

    matter.refresh_from_db()
    assert not matter.supervised
    assert not matter.events.filter(kind=EventKind.SUPERVISION).exists()


def test_owning_leader_must_be_leadership(intake, people):
    matter = intake()

    with pytest.raises(IncidentInputError) as error:
        services.set_supervision(
            incident_id=matter.pk,
            actor=people["boss"],
            supervised=True,
            owner_leader=people["county"],
        )

    assert "owner_leader" in error.value.errors


def test_leadership_of_another_township_may_not_supervise(intake, people, network, make_user):
    matter = intake()
    boss_b = make_user("boss_b", Role.LEADERSHIP, network["621122101000"])

    with pytest.raises(WorkflowError, match="outside your jurisdiction"):
        services.set_supervision(incident_id=matter.pk, actor=boss_b, supervised=True)
