"""The bell, my notifications (page and API), preferences and the delivery log."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db import transaction

from accounts.choices import Role
from notify.choices import Channel, Event, Status
from notify.models import Notification, Preference
from notify.outbox import Message, announce


def notify(user, key: str, link: str = "") -> Notification:
    with transaction.atomic():
        announce(
            event=Event.TEST,
            event_key=key,
            message=Message("Title %(key)s", "Text", {"key": key}, link),
            recipients=[user],
        )
    return Notification.objects.get(recipient=user, event_key=key, channel=Channel.SITE)


@pytest.mark.django_db
def test_the_bell_shows_my_unread_count_on_every_page(people, as_user):
    for key in ("a", "b"):
        notify(people["village"], key)
    notify(people["township"], "c")

    page = as_user("village").get("/incidents/").content.decode()

    assert 'id="bell-count">2</span>' in page


@pytest.mark.django_db
def test_the_site_frame_uses_no_emoji_that_intranet_fonts_lack(people, as_user):
    """Emoji (outside the Basic Multilingual Plane) show as an empty box on PCs without an emoji
    font, which is most county intranet PCs: the frame draws its icons instead."""
    page = as_user("village").get("/incidents/").content.decode()

    assert 'id="nav-bell"' in page
    assert [ch for ch in html.unescape(page) if ord(ch) > 0xFFFF] == []


@pytest.mark.django_db
def test_anonymous_visitors_get_no_bell(client, network):
    assert 'id="nav-bell"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_bell_and_the_live_cursor_cost_one_query(people, as_user, django_assert_num_queries):
    from django.test import RequestFactory

    from notify.context_processors import bell

    request = RequestFactory().get("/")
    request.user = people["village"]
    context = bell(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == 0
        assert context["unread_notifications"]() == 0
        assert context["notification_cursor"]() == 0


@pytest.mark.django_db
def test_marking_one_read_lowers_the_count_and_opens_its_link(people, as_user):
    row = notify(people["village"], "a", link="/incidents/")
    client = as_user("village")

    response = client.post(f"/notifications/{row.pk}/read/", {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/incidents/"
    row.refresh_from_db()
    assert row.status == Status.READ
    assert row.read_at is not None
    assert 'id="bell-count" hidden>0</span>' in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_mark_all_read(people, as_user):
    for key in ("a", "b", "c"):
        notify(people["village"], key)
    other = notify(people["township"], "d")

    response = as_user("village").post("/notifications/read-all/")

    assert response.status_code == 302
    assert set(
        Notification.objects.filter(recipient=people["village"]).values_list("status", flat=True)
    ) == {Status.READ}
    other.refresh_from_db()
    assert other.status == Status.SENT


@pytest.mark.django_db
def test_someone_elses_notification_is_404_for_me(people, as_user):
    theirs = notify(people["township"], "a")

    page = as_user("village").post(f"/notifications/{theirs.pk}/read/")
    api = as_user("village").post(f"/api/notifications/{theirs.pk}/read/")

    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json() == {"detail": api.json()["detail"]}
    theirs.refresh_from_db()
    assert theirs.status == Status.SENT


@pytest.mark.django_db
def test_the_list_shows_only_mine(people, as_user):
    notify(people["village"], "mine")
    notify(people["township"], "theirs")

    page = as_user("village").get("/notifications/").content.decode()

    assert "Title mine" in page
    assert "Title theirs" not in page


@pytest.mark.django_db
def test_the_api_lists_reads_and_reads_all(people, as_user):
    first = notify(people["village"], "a")
    notify(people["village"], "b")
    client = as_user("village")

    listed = client.get("/api/notifications/").json()
    assert (listed["count"], listed["unread"]) == (2, 2)
    assert {r["title"] for r in listed["results"]} == {"Title a", "Title b"}

    assert client.post(f"/api/notifications/{first.pk}/read/").json()["status"] == "read"
    assert client.get("/api/notifications/?unread=1").json()["count"] == 1
    assert client.post("/api/notifications/read-all/").json() == {"marked": 1}


@pytest.mark.django_db
def test_preferences_are_saved_for_myself(people, as_user):
    client = as_user("village")

    response = client.post(
        "/notifications/preferences/",
        {
            "sms_events": [Event.OFFER, Event.ESCALATED],
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )

    assert response.status_code == 302
    saved = Preference.objects.get(user=people["village"])
    assert sorted(saved.sms_events) == sorted([Event.ESCALATED, Event.OFFER])
    assert (saved.quiet_start, saved.quiet_end) == (dt.time(22), dt.time(7))
    assert client.post("/notifications/preferences/", {"quiet_start": "22:00"}).status_code == 400


@pytest.mark.django_db
def test_sms_waits_for_the_end_of_quiet_hours_unless_urgent(people, settings):
    settings.NOTIFY_SMS_URL = "http://127.0.0.1:9/sms"
    user = people["village"]
    user.phone = "13800001111"
    user.save(update_fields=["phone"])
    # Quiet all day but one minute: whatever the time of the test, it is inside.
    Preference.objects.create(
        user=user, sms_events=[Event.TEST], quiet_start=dt.time(0, 1), quiet_end=dt.time(0, 0)
    )
    with transaction.atomic():
        for key, urgent in (("calm", False), ("urgent", True)):
            announce(
                event=Event.TEST,
                event_key=key,
                message=Message("t", "x"),
                recipients=[user],
                urgent=urgent,
            )

    calm = Notification.objects.get(event_key="calm", channel=Channel.SMS)
    urgent = Notification.objects.get(event_key="urgent", channel=Channel.SMS)
    assert calm.next_attempt_at > calm.created_at
    assert urgent.next_attempt_at == urgent.created_at


@pytest.mark.django_db
def test_sms_stops_at_the_daily_cap(people, settings):
    settings.NOTIFY_SMS_URL = "http://127.0.0.1:9/sms"
    settings.NOTIFY_SMS_DAILY_CAP = 2
    user = people["village"]
    user.phone = "13800001111"
    user.save(update_fields=["phone"])
    Preference.objects.create(user=user, sms_events=[Event.TEST])
    for key in "abc":
        with transaction.atomic():
            announce(event=Event.TEST, event_key=key, message=Message("t", "x"), recipients=[user])

    assert Notification.objects.filter(recipient=user, channel=Channel.SMS).count() == 2
    assert Notification.objects.filter(recipient=user, channel=Channel.SITE).count() == 3


def failed_row(center, key: str = "f") -> Notification:
    return Notification.objects.create(
        event=Event.TEST,
        event_key=key,
        center=center,
        channel=Channel.WECOM,
        title="t",
        text="x",
        status=Status.FAILED,
        attempts=8,
        last_error="HTTP 500",
    )


@pytest.mark.django_db
def test_the_delivery_log_lists_failed_ones_and_retries_them(people, as_user, network):
    row = failed_row(network["621122100001"])
    client = as_user("admin")

    page = client.get("/notifications/deliveries/?status=failed&channel=wecom").content.decode()
    assert f'data-id="{row.pk}"' in page
    assert "HTTP 500" in page

    response = client.post(f"/notifications/deliveries/{row.pk}/retry/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 0)


@pytest.mark.django_db
def test_the_delivery_log_is_for_county_administrators_of_the_jurisdiction(
    people, as_user, network, make_user, client
):
    inside = failed_row(network["621122100001"], "in")
    outside = failed_row(network["621122101001"], "out")
    township_admin = make_user("admin-a", Role.COUNTY_ADMIN, network["621122100000"])
    client.force_login(township_admin)

    page = client.get("/notifications/deliveries/").content.decode()

    assert f'data-id="{inside.pk}"' in page
    assert f'data-id="{outside.pk}"' not in page
    assert client.post(f"/notifications/deliveries/{outside.pk}/retry/").status_code == 404
    assert as_user("village").get("/notifications/deliveries/").status_code == 403


@pytest.mark.django_db
def test_a_row_without_an_adapter_shows_as_failed_in_the_log(people, as_user, network, monkeypatch):
    from notify.channels import ADAPTERS
    from notify.delivery import deliver_due

    monkeypatch.delitem(ADAPTERS, Channel.DINGTALK, raising=False)
    row = Notification.objects.create(
        event=Event.TEST,
        event_key="no-adapter",
        center=network["621122100001"],
        channel=Channel.DINGTALK,
        title="t",
        text="x",
    )
    deliver_due()

    page = as_user("admin").get("/notifications/deliveries/?status=failed").content.decode()

    assert f'data-id="{row.pk}"' in page
    assert "No adapter" in page
