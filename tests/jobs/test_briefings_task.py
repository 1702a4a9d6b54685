"""The daily briefing job: it makes what is due on the 1st of the current month, so a run on any
later day makes briefings a worker missed on the 1st, and a second run stores nothing twice."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.choices import Role
from analytics.models import StoredBriefing
from analytics.periods import add_months
from analytics.tasks import scheduled_briefings
from notify.choices import Event
from notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def briefings_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BRIEFINGS_ROOT = ""


@pytest.mark.usefixtures("matters")
def test_the_daily_job_makes_this_months_due_briefings_whatever_the_day_and_only_once(
    network, make_user
):
    boss = make_user("boss", Role.LEADERSHIP, network["621122000000"])
    last_month = add_months(timezone.localdate().replace(day=1), -1).strftime("%Y-%m")

    first = scheduled_briefings(timestamp=0)  # today, in Beijing, whatever its day
    second = scheduled_briefings(timestamp=0)

    monthly = StoredBriefing.objects.filter(kind="month")
    assert sorted(monthly.values_list("area__code", "period_label")) == [
        ("621122000000", last_month),
        ("621122100000", last_month),
        ("621122101000", last_month),
    ]
    assert first == StoredBriefing.objects.count()
    assert second == 0
    assert Notification.objects.filter(recipient=boss, event=Event.BRIEFING_READY).count() >= 1
