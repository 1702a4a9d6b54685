"""Times by the phone's clock on a report (docs/field-app.md): the GPS fix and the moment the
reporter pressed send, kept beside the server's received time; impossible ones refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import Incident
from tests.incidents.test_api_intake import feature, post_json

pytestmark = pytest.mark.django_db


def test_an_offline_report_keeps_the_gps_and_send_times_of_the_phone(as_user):
    fixed = timezone.now() - dt.timedelta(hours=3)
    pressed = fixed + dt.timedelta(minutes=4)
    body = feature(located_at=fixed.isoformat(), reported_at=pressed.isoformat(), source="field")

    response = post_json(as_user("leader_a1"), body)

    assert response.status_code == 201
    matter = Incident.objects.get()
    assert (matter.located_at, matter.reported_at) == (fixed, pressed)
    assert matter.received_at > pressed
    # Deadlines run from when the center received it.
    assert matter.due_at - matter.received_at == dt.timedelta(days=1)
    assert response.json()["properties"]["located_at"] is not None


def test_a_time_in_the_future_is_refused_with_the_reason(as_user):
    later = timezone.now() + dt.timedelta(hours=2)

    response = post_json(as_user("leader_a1"), feature(located_at=later.isoformat()))

    assert response.status_code == 400
    assert "future" in response.json()["errors"]["located_at"][0]
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T08:00:00+08:00"])
def test_a_time_that_is_not_iso_8601_is_refused(as_user, text):
    response = post_json(as_user("leader_a1"), feature(reported_at=text))

    assert response.status_code == 400
    assert "ISO 8601" in response.json()["errors"]["reported_at"][0]


def test_a_report_without_phone_times_has_none(as_user):
    post_json(as_user("leader_a1"), feature())

    matter = Incident.objects.get()
    assert (matter.located_at, matter.reported_at) == (None, None)
