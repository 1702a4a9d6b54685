"""Events of the workflow and of dispatch write notifications in their own transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from accounts.choices import Role
from incidents import services
from incidents.announcements import warn_deadlines
from notify.choices import Channel, Event, Status
from notify.models import CenterChannel, Notification
from notify.outbox import Message, OutboxError, announce
from tests.notify.conftest import site_inbox
from volunteers.choices import ResponderKind
from volunteers.models import Volunteer
from volunteers.services import act_on_assignment, assign


@pytest.mark.django_db
def test_assigning_gives_the_units_members_one_site_notification_naming_the_matter(
    routed, place_responder, people
):
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])

    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    (row,) = site_inbox(people["responder"], Event.OFFER)
    assert routed.number in row.title
    assert row.link == f"/incidents/{routed.pk}/"
    assert row.incident_id == routed.pk
    assert row.status == Status.SENT


@pytest.mark.django_db
def test_a_squads_leader_hears_of_the_offer(routed, place_responder, people, make_user, network):
    leader = make_user("squad-leader", Role.RESPONDER, network["621122100000"])
    squad = place_responder("squad", 104.607, 35.005, kind=ResponderKind.SQUAD)
    Volunteer.objects.create(squad=squad, name="队长", is_leader=True, user=leader)

    assign(incident_id=routed.pk, actor=people["village"], responder_id=squad.pk)

    assert site_inbox(leader, Event.OFFER).count() == 1


@pytest.mark.django_db
def test_texts_are_in_the_recipients_language(routed, place_responder, people):
    people["responder"].language = "zh-hans"
    people["responder"].save(update_fields=["language"])
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])

    assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    row = site_inbox(people["responder"], Event.OFFER).get()
    assert row.title == f"新派遣：事项 {routed.number}"


@pytest.mark.django_db
def test_declining_tells_the_dispatcher_and_the_next_unit_gets_the_offer(
    routed, place_responder, people, make_user, network
):
    second = make_user("second-responder", Role.RESPONDER, network["621122100000"])
    first_unit = place_responder("near", 104.606, 35.005, members=[people["responder"]])
    place_responder("further", 104.609, 35.005, members=[second])
    offer = assign(incident_id=routed.pk, actor=people["village"], responder_id=first_unit.pk)

    act_on_assignment(
        assignment_id=offer.assignment.pk, action="decline", actor=people["responder"], note="忙"
    )

    declined = site_inbox(people["village"], Event.OFFER_DECLINED).get()
    assert routed.number in declined.title
    assert site_inbox(people["village"], Event.REOFFERED).count() == 1
    assert site_inbox(second, Event.OFFER).count() == 1


@pytest.mark.django_db
def test_arrival_and_done_tell_the_dispatcher(routed, place_responder, people):
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])
    offer = assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
    for action in ("accept", "en_route", "arrive"):
        act_on_assignment(
            assignment_id=offer.assignment.pk, action=action, actor=people["responder"]
        )
    act_on_assignment(
        assignment_id=offer.assignment.pk, action="done", actor=people["responder"], note="已调解"
    )

    events = list(site_inbox(people["village"]).values_list("event", flat=True))
    assert Event.UNIT_ARRIVED in events
    assert Event.UNIT_DONE in events


@pytest.mark.django_db
def test_a_rolled_back_assignment_leaves_no_notification(routed, place_responder, people):
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])

    def assign_then_fail() -> None:
        with transaction.atomic():
            assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)
            raise RuntimeError("the caller fails after the assignment")

    with pytest.raises(RuntimeError):
        assign_then_fail()

    assert not Notification.objects.filter(event=Event.OFFER).exists()


@pytest.mark.django_db(transaction=True)
def test_announcing_outside_a_transaction_is_refused(people):
    with pytest.raises(OutboxError):
        announce(
            event=Event.TEST,
            event_key="test:outside",
            message=Message("t", "x"),
            recipients=[people["village"]],
        )

    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_announcing_twice_writes_once(people):
    def send() -> int:
        with transaction.atomic():
            return announce(
                event=Event.TEST,
                event_key="test:1",
                message=Message("t", "x"),
                recipients=[people["village"]],
            )

    assert (send(), send()) == (1, 0)
    assert site_inbox(people["village"]).count() == 1


@pytest.mark.django_db
def test_routing_tells_the_centers_staff_and_its_group_channels(
    intake, walk, people, network, settings
):
    settings.NOTIFY_WECOM_WEBHOOK = "http://127.0.0.1:9/wecom"
    village = network["621122100001"]
    CenterChannel.objects.create(
        area=village, kind=Channel.DINGTALK, url="http://127.0.0.1:9/ding", enabled=False
    )

    matter = walk(intake(), "routed")

    assert site_inbox(people["village"], Event.ROUTED).count() == 1
    groups = Notification.objects.filter(event=Event.ROUTED, center=village)
    # The environment's WeCom robot applies; the center switched its DingTalk robot off.
    assert list(groups.values_list("channel", "status")) == [(Channel.WECOM, Status.PENDING)]
    assert matter.number in groups.get().text


@pytest.mark.django_db
def test_transfer_tells_the_receiving_units_members(intake, walk, people, departments):
    member = people["county"]
    unit = departments["on_site"] if "on_site" in departments else next(iter(departments.values()))
    unit.members.add(member)
    matter = walk(intake(), "routed")

    services.transfer(incident_id=matter.pk, actor=people["village"], to_unit=unit, note="转办")

    assert site_inbox(member, Event.ROUTED).count() == 1


@pytest.mark.django_db
def test_warning_a_matter_near_its_deadline_twice_writes_one_warning(intake, people):
    matter = intake()
    two_hours_before = matter.due_at - dt.timedelta(hours=1, minutes=30)

    first = warn_deadlines(now=two_hours_before)
    second = warn_deadlines(now=two_hours_before + dt.timedelta(minutes=10))

    assert (first, second) == (1, 0)
    warning = site_inbox(people["village"], Event.DEADLINE_WARNING).get()
    assert warning.event_key == f"deadline:{matter.pk}:2h"
    assert matter.number in warning.title


@pytest.mark.django_db
def test_no_warning_before_the_threshold_and_per_tier_settings_apply(intake, people, settings):
    matter = intake()
    assert warn_deadlines(now=matter.due_at - dt.timedelta(hours=3)) == 0

    settings.NOTIFY_DEADLINE_WARNINGS_BY_TIER = {"ordinary": "4h"}

    assert warn_deadlines(now=matter.due_at - dt.timedelta(hours=3)) == 1
    assert site_inbox(people["village"], Event.DEADLINE_WARNING).get().event_key.endswith(":4h")


@pytest.mark.django_db
def test_escalation_tells_the_handler_and_the_parent_center(intake, walk, people):
    matter = walk(intake(), "in_progress")

    services.escalate_overdue(now=matter.due_at + dt.timedelta(hours=1))

    assert site_inbox(people["village"], Event.ESCALATED).count() == 1  # the handler
    township = site_inbox(people["township"], Event.ESCALATED).get()  # the parent center
    assert matter.number in township.title


@pytest.mark.django_db
def test_a_dry_run_of_the_deadline_check_announces_nothing(intake, walk, people):
    matter = walk(intake(), "in_progress")

    services.escalate_overdue(now=matter.due_at + dt.timedelta(hours=1), dry_run=True)

    assert not Notification.objects.filter(event=Event.ESCALATED).exists()


@pytest.mark.django_db
def test_every_state_change_of_a_supervised_matter_reaches_the_leader(intake, walk, people):
    matter = intake()
    services.set_supervision(
        incident_id=matter.pk, actor=people["boss"], supervised=True, owner_leader=people["boss"]
    )

    walk(matter, "in_progress")

    texts = [row.text for row in site_inbox(people["boss"], Event.SUPERVISED_CHANGE)]
    # Marked, then assessed, routed, in progress: one each.
    assert len(texts) == 4
    assert texts[-1].endswith("当前状态：办理中。")  # the leader reads Chinese (the default)
    assert all(matter.number in text for text in texts)


@pytest.mark.django_db
def test_a_resolved_matter_tells_the_centers_other_staff_to_visit(
    intake, walk, people, make_user, network
):
    colleague = make_user("village-2", Role.DISPATCHER, network["621122100001"])

    walk(intake(), "resolved")

    assert site_inbox(colleague, Event.FOLLOW_UP_DUE).count() == 1
    # The handler does not make the visit.
    assert site_inbox(people["village"], Event.FOLLOW_UP_DUE).count() == 0
