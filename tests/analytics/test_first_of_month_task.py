"""The first-of-month task as the job runner runs it (`manage.py generate_briefings` on the 1st),
twice: the briefings are created once and announced once to each leader, with a link that opens
the stored briefing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from analytics.models import StoredBriefing
from notify.choices import Channel, Event, Status
from notify.models import Notification

pytestmark = pytest.mark.django_db
COUNTY, TOWNSHIP_A, TOWNSHIP_B = "621122000000", "621122100000", "621122101000"


@pytest.fixture(autouse=True)
def briefings_in_tmp(settings, tmp_path):
    """Stored briefings go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BRIEFINGS_ROOT = ""


def run_on_the_first() -> str:
    """One run of the task on 1 November 2026; what it printed."""
    out = StringIO()
    call_command("generate_briefings", "--date", "2026-11-01", stdout=out, stderr=StringIO())
    return out.getvalue()


def announcements(user) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, event=Event.BRIEFING_READY).order_by("link")
    )


def test_the_task_run_twice_creates_the_briefings_once_and_announces_them_once(
    network, matters, county_leader, township_leader, client
):
    first = run_on_the_first()
    stored = {b.area.code: b for b in StoredBriefing.objects.select_related("area")}
    told_county = announcements(county_leader)
    told_township = announcements(township_leader)
    notifications = Notification.objects.count()

    second = run_on_the_first()

    assert "3 stored" in first
    assert "0 stored, 3 already there" in second
    assert sorted(stored) == [COUNTY, TOWNSHIP_A, TOWNSHIP_B]
    assert {b.period_label for b in stored.values()} == {"2026-10"}
    assert StoredBriefing.objects.count() == 3
    # The county leader hears of the county's and both townships' briefings, the township's
    # leader of their own township's only; each once, on the site.
    assert sorted(n.link for n in told_county) == sorted(
        f"/analytics/briefings/{b.pk}/" for b in stored.values()
    )
    assert [n.link for n in told_township] == [f"/analytics/briefings/{stored[TOWNSHIP_B].pk}/"]
    assert {(n.channel, n.status) for n in told_county + told_township} == {
        (Channel.SITE, Status.SENT)
    }
    # The second run announced nothing again.
    assert Notification.objects.count() == notifications
    assert announcements(county_leader) == told_county
    # The announcement's link opens the briefing for the leader it was sent to.
    client.force_login(township_leader)
    page = client.get(told_township[0].link)
    assert page.status_code == 200
    assert "2026" in page.content.decode()
