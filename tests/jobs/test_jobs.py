"""Periodic jobs run by a real worker: a deadline is warned of once however often the job runs;
a job that keeps failing is retried, then shown failed in the jobs admin to a county
administrator only."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.choices import Role
from accounts.tasks import prune_access_log
from incidents.models import Incident
from incidents.tasks import warn_deadlines
from notify.choices import Channel, Event
from notify.models import Notification
from tests.jobs.conftest import WECOM_PATH, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
MOVE_CLOCK = "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = %s"
JOBS = "/admin/procrastinate/procrastinatejob/"


def as_text(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


def finished(job_id: int) -> str | None:
    """The job's status once it has ended, else None."""
    status = ProcrastinateJob.objects.get(pk=job_id).status
    return status if status in {"succeeded", "failed"} else None


def test_a_matter_two_hours_before_its_deadline_is_warned_of_once_when_the_job_runs_twice(
    intake, people, fake_receiver, start_worker
):
    matter = intake()
    Incident.objects.filter(pk=matter.pk).update(
        due_at=timezone.now() + dt.timedelta(hours=1, minutes=50)
    )
    start_worker(NOTIFY_WECOM_WEBHOOK=fake_receiver.url(f"{WECOM_PATH}?key=test-key"))

    for tick in (0, 600):  # two runs, ten minutes apart as the schedule has them
        job_id = warn_deadlines.defer(timestamp=int(time.time()) + tick)
        assert wait_until(lambda job_id=job_id: finished(job_id), 30, "the run") == "succeeded"

    warnings = Notification.objects.filter(event=Event.DEADLINE_WARNING, incident=matter)
    assert warnings.filter(recipient=people["village"]).count() == 1  # the handler
    group = warnings.get(channel=Channel.WECOM)
    assert group.event_key == f"deadline:{matter.pk}:2h"
    wait_until(lambda: str(group.uid) in fake_receiver.distinct_ids(), 10, "the group message")
    said = [m for m in fake_receiver.delivered() if matter.number in as_text(m.body)]
    assert [m.uid for m in said] == [str(group.uid)]


@pytest.fixture
def plain_static_storage(settings):
    # The manifest storage needs collectstatic; admin pages are tested against the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def staff(make_user, username: str, role: str, area):
    user = make_user(username, role=role, jurisdiction=area)
    user.is_staff = True
    user.save()
    return user


@pytest.mark.usefixtures("plain_static_storage")
def test_a_failing_job_is_retried_then_shown_failed_to_the_county_administrator_only(
    network, make_user, client, start_worker
):
    # A deployment set a retention below the legal floor: the daily prune refuses to run.
    start_worker(ACCESS_LOG_RETENTION_DAYS="30")
    job_id = prune_access_log.defer(timestamp=int(time.time()))

    for attempt in range(1, 4):  # three retries (RETRY), each scheduled minutes ahead …
        wait_until(
            lambda attempt=attempt: ProcrastinateJob.objects.filter(
                pk=job_id, status="todo", attempts=attempt
            ).exists(),
            30,
            f"retry {attempt} scheduled",
        )
        with connection.cursor() as cursor:  # … and the clock moved on to it
            cursor.execute(MOVE_CLOCK, [job_id])
    assert wait_until(lambda: finished(job_id), 30, "the last attempt") == "failed"

    county_admin = staff(make_user, "xianadmin", Role.COUNTY_ADMIN, network["621122000000"])
    client.force_login(county_admin)
    page = client.get(f"{JOBS}?status=failed")
    assert page.status_code == 200
    text = page.content.decode()
    assert "accounts.tasks.prune_access_log" in text
    assert f'href="{JOBS}{job_id}/change/' in text
    assert client.get(f"{JOBS}{job_id}/change/").status_code == 200

    others = [
        staff(make_user, "zhenadmin", Role.COUNTY_ADMIN, network["621122100000"]),  # a township's
        staff(make_user, "dispatcher", Role.DISPATCHER, network["621122000000"]),
    ]
    for user in others:
        client.force_login(user)
        assert client.get(JOBS).status_code == 403
        assert client.get(f"{JOBS}{job_id}/change/").status_code in {302, 403}
