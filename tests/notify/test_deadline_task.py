"""The deadline-warning task as the job runner runs it (`manage.py warn_deadlines`, on the real
clock): a matter 2 hours before its deadline is warned once, on the site and in the center's WeCom
group, however often the task runs."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Incident
from notify.choices import Channel, Event, Status
from notify.models import Notification
from tests.fakes.receiver import WECOM_PATH, FakeReceiver
from tests.notify.conftest import site_inbox

# Warnings are written and delivered by separate runs, each with its own transactions.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wecom_default(settings, fake_receiver: FakeReceiver) -> FakeReceiver:
    """Every center's WeCom robot is the fake receiver (the environment default)."""
    settings.NOTIFY_WECOM_WEBHOOK = fake_receiver.url(WECOM_PATH)
    return fake_receiver


def run_task() -> str:
    """One run of the warning task and of delivery after it; what the task printed."""
    out = _call("warn_deadlines")
    _call("deliver_notifications")
    return out


def _call(name: str) -> str:
    stdout = StringIO()
    call_command(name, stdout=stdout)
    return stdout.getvalue()


@pytest.mark.parametrize("tier", ["ordinary", "larger", "major"])
def test_a_matter_two_hours_before_its_deadline_is_warned_once_when_the_task_runs_twice(
    tier, intake, people, wecom_default
):
    matter = intake(tier=tier)
    Incident.objects.filter(pk=matter.pk).update(
        due_at=timezone.now() + dt.timedelta(hours=1, minutes=50)
    )
    # Not warned at intake: the deadline of a fresh matter is further away than every threshold.
    assert not Notification.objects.filter(event=Event.DEADLINE_WARNING).exists()

    first = run_task()
    second = run_task()

    assert "1 matters warned now." in first
    assert "0 matters warned now." in second
    # One warning: the 2-hour one (a 7- or 30-day matter has crossed "1 day" too, but the task
    # says only the nearest threshold it has crossed).
    (warning,) = site_inbox(people["village"], Event.DEADLINE_WARNING)
    assert warning.event_key == f"deadline:{matter.pk}:2h"
    assert matter.number in warning.title
    group = Notification.objects.get(event=Event.DEADLINE_WARNING, channel=Channel.WECOM)
    assert (group.status, group.attempts) == (Status.SENT, 1)
    messages = [json.dumps(m.body, ensure_ascii=False) for m in wecom_default.delivered()]
    assert len(messages) == 1
    assert matter.number in messages[0]


def test_a_matter_three_hours_before_its_ordinary_deadline_is_not_warned_yet(intake, wecom_default):
    matter = intake()
    Incident.objects.filter(pk=matter.pk).update(due_at=timezone.now() + dt.timedelta(hours=3))

    assert "0 matters warned now." in run_task()

    assert not Notification.objects.filter(event=Event.DEADLINE_WARNING).exists()
    assert wecom_default.messages() == []
