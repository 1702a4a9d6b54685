"""The CenterChannel admin: who may use it, the write-only secret, the test-message button."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from accounts.choices import Role
from notify.choices import Channel, Event, Status
from notify.models import CenterChannel, Notification
from tests.fakes.receiver import DINGTALK_PATH, SMS_PATH, WECOM_PATH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_channel_defaults")]

COUNTY = "621122000000"
TOWNSHIP = "621122100000"
OTHER_TOWNSHIP = "621122101000"
KEY = "admin-wecom-key-90f1b3"
SECRET = "SECadmin-ding-secret-7a"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; admin pages are tested against the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def admin_of(make_user):
    """A county-administrator staff account for ``area``."""

    def build(area, role: str = Role.COUNTY_ADMIN, username: str = "xianadmin"):
        user = make_user(username, role=role, jurisdiction=area)
        user.is_staff = True
        user.save()
        return user

    return build


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_county_admin_adds_a_robot_and_neither_key_nor_secret_is_shown_again(
    client, network, admin_of, fake_receiver
):
    client.force_login(admin_of(network[COUNTY]))
    response = client.post(
        "/admin/notify/centerchannel/add/",
        {
            "area": network[TOWNSHIP].pk,
            "kind": Channel.DINGTALK,
            "url": fake_receiver.url(f"{DINGTALK_PATH}?access_token={KEY}"),
            "secret": SECRET,
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = CenterChannel.objects.get()
    assert channel.secret == SECRET
    with connection.cursor() as cursor:  # at rest, both are ciphertext (accounts.crypto)
        cursor.execute("SELECT url || secret FROM notify_centerchannel")
        stored = cursor.fetchone()[0]
    assert KEY not in stored
    assert SECRET not in stored

    for url in (
        f"/admin/notify/centerchannel/{channel.pk}/change/",
        "/admin/notify/centerchannel/",
    ):
        page = client.get(url).content.decode()
        assert KEY not in page
        assert SECRET not in page
    assert fake_receiver.url(DINGTALK_PATH) in page  # the address without its query is listed


def test_leaving_url_and_secret_blank_keeps_them(client, network, admin_of, fake_receiver):
    url = fake_receiver.url(f"{DINGTALK_PATH}?access_token={KEY}")
    channel = CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.DINGTALK, url=url, secret=SECRET
    )
    client.force_login(admin_of(network[COUNTY]))

    response = client.post(
        f"/admin/notify/centerchannel/{channel.pk}/change/",
        {"area": network[TOWNSHIP].pk, "kind": Channel.DINGTALK, "url": "", "secret": ""},
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.url, channel.secret, channel.enabled) == (url, SECRET, False)


def test_plain_http_to_another_host_is_refused_in_the_form(client, network, admin_of):
    client.force_login(admin_of(network[COUNTY]))

    response = client.post(
        "/admin/notify/centerchannel/add/",
        {
            "area": network[TOWNSHIP].pk,
            "kind": Channel.WECOM,
            "url": f"http://qyapi.weixin.qq.com{WECOM_PATH}?key={KEY}",
        },
        headers={"accept-language": "zh-hans"},
    )

    assert response.status_code == 200
    # In the administrator's language.
    page = response.content.decode()
    assert "请使用 https 地址" in page
    assert "NOTIFY_ALLOW_HTTP" in page
    assert not CenterChannel.objects.exists()


def test_the_url_hint_of_a_saved_channel_hides_its_key(client, network, admin_of, fake_receiver):
    with_key = CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.WECOM, url=fake_receiver.url(f"{WECOM_PATH}?key={KEY}")
    )
    plain = CenterChannel.objects.create(
        area=network[COUNTY], kind=Channel.WECOM, url=fake_receiver.url(WECOM_PATH)
    )
    client.force_login(admin_of(network[COUNTY]))

    keyed = client.get(f"/admin/notify/centerchannel/{with_key.pk}/change/").content.decode()
    bare = client.get(f"/admin/notify/centerchannel/{plain.pk}/change/").content.decode()

    assert f'placeholder="{fake_receiver.url(WECOM_PATH)}?…"' in keyed
    assert KEY not in keyed
    assert f'placeholder="{fake_receiver.url(WECOM_PATH)}"' in bare


def test_send_test_button_delivers_to_the_robot_and_says_so(
    client, network, admin_of, fake_receiver
):
    fake_receiver.configure(dingtalk_secret=SECRET)
    channel = CenterChannel.objects.create(
        area=network[TOWNSHIP],
        kind=Channel.DINGTALK,
        url=fake_receiver.url(f"{DINGTALK_PATH}?access_token={KEY}"),
        secret=SECRET,
    )
    client.force_login(admin_of(network[COUNTY]))
    change_page = client.get(f"/admin/notify/centerchannel/{channel.pk}/change/").content.decode()
    assert f"/admin/notify/centerchannel/{channel.pk}/send-test/" in change_page

    response = client.post(f"/admin/notify/centerchannel/{channel.pk}/send-test/")

    assert response.status_code == 302
    (got,) = fake_receiver.delivered(DINGTALK_PATH)
    record = Notification.objects.get(event=Event.TEST)
    assert got.uid == str(record.uid)
    assert network[TOWNSHIP].name in got.body["markdown"]["text"]
    assert (record.status, record.center, record.attempts) == (Status.SENT, network[TOWNSHIP], 1)
    assert any("delivered" in text for text in messages_of(response))


def test_send_test_button_shows_the_error_without_secrets(client, network, admin_of, fake_receiver):
    fake_receiver.configure(errcode=93000)
    channel = CenterChannel.objects.create(
        area=network[TOWNSHIP],
        kind=Channel.WECOM,
        url=fake_receiver.url(f"{WECOM_PATH}?key={KEY}"),
    )
    client.force_login(admin_of(network[COUNTY]))

    response = client.post(f"/admin/notify/centerchannel/{channel.pk}/send-test/", follow=True)

    page = response.content.decode()
    assert "errcode 93000" in page
    assert KEY not in page
    record = Notification.objects.get(event=Event.TEST)
    assert record.status == Status.FAILED
    assert KEY not in record.last_error


def test_sms_test_goes_to_the_administrators_own_phone(client, network, admin_of, fake_receiver):
    user = admin_of(network[COUNTY])
    user.phone = "13800005678"
    user.save()
    channel = CenterChannel.objects.create(
        area=network[COUNTY], kind=Channel.SMS, url=fake_receiver.url(SMS_PATH), secret="k-123"
    )
    client.force_login(user)

    client.post(f"/admin/notify/centerchannel/{channel.pk}/send-test/")

    (got,) = fake_receiver.delivered(SMS_PATH)
    assert got.body["phone"] == "13800005678"
    assert got.body["key"] == "k-123"


def test_the_test_action_on_the_list_sends_for_each_selected_channel(
    client, network, admin_of, fake_receiver
):
    channels = [
        CenterChannel.objects.create(
            area=network[code], kind=Channel.WECOM, url=fake_receiver.url(f"{WECOM_PATH}?key=k{n}")
        )
        for n, code in enumerate([TOWNSHIP, OTHER_TOWNSHIP])
    ]
    client.force_login(admin_of(network[COUNTY]))

    client.post(
        "/admin/notify/centerchannel/",
        {"action": "send_test", "_selected_action": [c.pk for c in channels]},
    )

    assert sorted(got.query["key"] for got in fake_receiver.delivered(WECOM_PATH)) == ["k0", "k1"]


def test_township_administrator_sees_only_its_own_centers(client, network, admin_of):
    mine = CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.WECOM, url="https://qyapi.weixin.qq.com/a?key=x"
    )
    theirs = CenterChannel.objects.create(
        area=network[OTHER_TOWNSHIP], kind=Channel.WECOM, url="https://qyapi.weixin.qq.com/b?key=y"
    )
    client.force_login(admin_of(network[TOWNSHIP]))

    listed = list(client.get("/admin/notify/centerchannel/").context["cl"].result_list)
    assert listed == [mine]
    other = client.post(f"/admin/notify/centerchannel/{theirs.pk}/send-test/")
    assert other.status_code == 404
    add_page = client.get("/admin/notify/centerchannel/add/").content.decode()
    assert network[OTHER_TOWNSHIP].name not in add_page


def test_staff_dispatcher_cannot_open_the_channels(client, network, admin_of):
    channel = CenterChannel.objects.create(
        area=network[TOWNSHIP], kind=Channel.WECOM, url="https://qyapi.weixin.qq.com/a?key=x"
    )
    client.force_login(admin_of(network[COUNTY], role=Role.DISPATCHER, username="disp"))

    assert client.get("/admin/notify/centerchannel/").status_code == 403
    assert client.post(f"/admin/notify/centerchannel/{channel.pk}/send-test/").status_code in {
        302,
        403,
    }
    assert not Notification.objects.exists()
