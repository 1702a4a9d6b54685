"""The SMS adapter (generic gateway and Alibaba Cloud SendSms) against the fake receiver."""

from __future__ import annotations

import json
import uuid

import pytest

from notify.channels import DeliveryError, send
from notify.channels.sms import aliyun_signature
from notify.choices import Channel, Event
from notify.models import CenterChannel, Notification
from tests.fakes.receiver import ALIYUN_PATH, SMS_PATH

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_channel_defaults")]

TOWNSHIP = "621122100000"
VILLAGE = "621122100001"
GATEWAY_KEY = "sms-gateway-key-7c1d09"
ALIYUN_SECRET = "aliyun-secret-e41b2f"


@pytest.fixture
def responder(make_user, network):
    """A responder in village 1 of township 甲镇, with a phone."""
    user = make_user("mediator", jurisdiction=network[VILLAGE])
    user.phone = "13900001234"
    user.save()
    return user


def sms(user, **fields) -> Notification:
    values = {
        "event": Event.OFFER,
        "event_key": f"offer:{uuid.uuid4()}",
        "recipient": user,
        "channel": Channel.SMS,
        "title": "派遣",
        "text": "事项 2026-000123 请接单",
    }
    values.update(fields)
    return Notification.objects.create(**values)


def failure(notification: Notification) -> DeliveryError:
    with pytest.raises(DeliveryError) as caught:
        send(notification)
    return caught.value


def test_generic_gateway_gets_phone_text_key_and_id(fake_receiver, settings, responder):
    settings.NOTIFY_SMS_URL = fake_receiver.url(SMS_PATH)
    settings.NOTIFY_SMS_KEY_SECRET = GATEWAY_KEY
    notification = sms(responder)

    send(notification)

    (got,) = fake_receiver.delivered(SMS_PATH)
    assert got.uid == str(notification.uid)
    assert got.body == {
        "phone": "13900001234",
        "text": "派遣: 事项 2026-000123 请接单",
        "key": GATEWAY_KEY,
        "id": str(notification.uid),
    }


def test_recipient_without_phone_is_a_permanent_failure(fake_receiver, settings, make_user):
    settings.NOTIFY_SMS_URL = fake_receiver.url(SMS_PATH)
    user = make_user("nophone")

    error = failure(sms(user))

    assert not error.retryable
    assert "phone" in str(error)
    assert fake_receiver.messages() == []


def test_gateway_refusal_hides_the_key(fake_receiver, settings, responder):
    fake_receiver.configure(fail_rate=1.0, fail_status=401)
    settings.NOTIFY_SMS_URL = fake_receiver.url(SMS_PATH)
    settings.NOTIFY_SMS_KEY_SECRET = GATEWAY_KEY

    error = failure(sms(responder))

    assert not error.retryable
    assert "401" in str(error)
    assert GATEWAY_KEY not in str(error)


def test_gateway_of_the_nearest_center_above_the_recipient_wins(fake_receiver, settings, responder):
    settings.NOTIFY_SMS_URL = fake_receiver.url(SMS_PATH) + "?who=county-default"
    township = responder.jurisdiction.parent
    CenterChannel.objects.create(
        area=township, kind=Channel.SMS, url=fake_receiver.url(SMS_PATH) + "?who=jiazhen"
    )

    send(sms(responder))

    (got,) = fake_receiver.delivered(SMS_PATH)
    assert got.query == {"who": "jiazhen"}


def test_aliyun_sendsms_is_signed_and_carries_the_template(fake_receiver, settings, responder):
    fake_receiver.configure(aliyun_secret=ALIYUN_SECRET)
    settings.NOTIFY_SMS_PROVIDER = "aliyun"
    settings.NOTIFY_SMS_URL = fake_receiver.url(ALIYUN_PATH)
    settings.NOTIFY_SMS_KEY_ID = "LTAI-test-id"
    settings.NOTIFY_SMS_KEY_SECRET = ALIYUN_SECRET
    settings.NOTIFY_SMS_SIGN_NAME = "平安网格"
    settings.NOTIFY_SMS_TEMPLATE = "SMS_000001"
    notification = sms(responder)

    send(notification)

    (got,) = fake_receiver.delivered(ALIYUN_PATH)
    params = got.body
    assert params["Action"] == "SendSms"
    assert params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13900001234"
    assert params["SignName"] == "平安网格"
    assert params["TemplateCode"] == "SMS_000001"
    assert json.loads(params["TemplateParam"]) == {"content": "派遣: 事项 2026-000123 请接单"}
    assert params["OutId"] == str(notification.uid)
    assert got.uid == str(notification.uid)
    assert ALIYUN_SECRET not in json.dumps(params, ensure_ascii=False)


def test_aliyun_with_a_wrong_secret_is_refused_for_good_and_hides_it(
    fake_receiver, settings, responder
):
    fake_receiver.configure(aliyun_secret=ALIYUN_SECRET)
    settings.NOTIFY_SMS_PROVIDER = "aliyun"
    settings.NOTIFY_SMS_URL = fake_receiver.url(ALIYUN_PATH)
    settings.NOTIFY_SMS_KEY_ID = "LTAI-test-id"
    settings.NOTIFY_SMS_KEY_SECRET = "not-the-secret-9911"

    error = failure(sms(responder))

    assert not error.retryable
    assert "SignatureDoesNotMatch" in str(error)
    assert "not-the-secret-9911" not in str(error)
    assert "LTAI-test-id" not in str(error)


def test_aliyun_flow_control_is_retryable(fake_receiver, settings, responder):
    fake_receiver.configure(errcode=1)
    settings.NOTIFY_SMS_PROVIDER = "aliyun"
    settings.NOTIFY_SMS_URL = fake_receiver.url(ALIYUN_PATH)
    settings.NOTIFY_SMS_KEY_ID = "LTAI-test-id"
    settings.NOTIFY_SMS_KEY_SECRET = ALIYUN_SECRET

    error = failure(sms(responder))

    assert error.retryable
    assert "isv.BUSINESS_LIMIT_CONTROL" in str(error)


def test_no_gateway_configured_is_a_permanent_failure(responder):
    error = failure(sms(responder))

    assert not error.retryable


def test_aliyun_signature_matches_the_documented_example():
    # The worked example of Alibaba Cloud's SMS signature documentation (GET, secret testSecret).
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }

    assert aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
