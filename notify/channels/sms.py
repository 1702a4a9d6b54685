"""SMS through a configurable HTTP gateway, chosen by NOTIFY_SMS_PROVIDER.

- ``generic``: POST JSON ``{"phone", "text", "key", "id"}`` to the gateway URL; any 2xx is
  success. For an in-house or intranet gateway (or a relay in front of a provider).
- ``aliyun``: Alibaba Cloud SMS ``SendSms`` (API version 2017-05-25) as an RPC call: a form POST
  of the parameters plus ``Signature`` = base64(HMAC-SHA1(key secret + "&", "POST&%2F&" +
  percent-encoded sorted query)). The template (NOTIFY_SMS_TEMPLATE) gets one variable,
  ``${content}``; the sign name is NOTIFY_SMS_SIGN_NAME; the notification's uid goes in
  ``OutId``. ``{"Code": "OK"}`` is success; throttling and system errors are retried.

The message goes to ``notification.recipient.phone``; a recipient without one is a permanent
failure. The gateway key (CenterChannel secret or NOTIFY_SMS_KEY_SECRET) never appears in an
error text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from django.conf import settings

from notify.channels import ADAPTERS, DeliveryError
from notify.channels.http import Answer, post, public_url, shown, status_error
from notify.channels.targets import Target, sms_target
from notify.choices import Channel
from notify.models import Notification

# Long SMS are split by the carrier (70 Chinese characters a part); keep a message to a few parts.
MAX_CHARS = 300
ALIYUN_VERSION = "2017-05-25"
ALIYUN_RETRY_CODES = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "Throttling",
        "Throttling.User",
        "Throttling.Api",
        "isp.SYSTEM_ERROR",
        "ServiceUnavailable",
        "InternalError",
    }
)
PROVIDERS = ("generic", "aliyun")


def sms_text(notification: Notification) -> str:
    """The SMS body: title and text on one line, cut to MAX_CHARS."""
    text = f"{notification.title}: {notification.text}".replace("\n", " ")
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def phone_of(notification: Notification) -> str:
    """The recipient's phone; a permanent failure when there is none."""
    phone = (getattr(notification.recipient, "phone", "") or "").strip()
    if not phone:
        raise DeliveryError("The recipient has no phone number.", retryable=False)
    return phone


def percent_encode(value: str) -> str:
    """Alibaba Cloud's RPC percent-encoding (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay)."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The RPC signature of ``params`` (without Signature) for ``method``."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def aliyun_params(notification: Notification, phone: str, secret: str) -> dict[str, str]:
    """The signed SendSms parameters."""
    params = {
        "AccessKeyId": settings.NOTIFY_SMS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "OutId": str(notification.uid),
        "PhoneNumbers": phone,
        "RegionId": "cn-hangzhou",
        "SignName": settings.NOTIFY_SMS_SIGN_NAME,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": settings.NOTIFY_SMS_TEMPLATE,
        "TemplateParam": json.dumps({"content": sms_text(notification)}, ensure_ascii=False),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": ALIYUN_VERSION,
    }
    params["Signature"] = aliyun_signature(params, secret)
    return params


def aliyun_error(answer: Answer, where: str) -> DeliveryError | None:
    """None for ``{"Code": "OK"}``; otherwise the error its Code (or its status) calls for."""
    body = answer.body
    if not isinstance(body, dict) or "Code" not in body:
        if 200 <= answer.status < 300:
            return DeliveryError(
                f"The SMS gateway gave an unexpected answer: {shown(answer)!r}", retryable=False
            )
        return status_error(answer, where=where)
    code = str(body["Code"])
    if code == "OK":
        return None
    message = shown(answer, str(body.get("Message", "")))
    retryable = code in ALIYUN_RETRY_CODES or answer.status >= 500
    return DeliveryError(f"The SMS gateway refused: {code} ({message})", retryable=retryable)


def deliver(notification: Notification, target: Target) -> None:
    """Sends ``notification`` as an SMS through ``target``; raises DeliveryError if not sent."""
    phone = phone_of(notification)
    uid = str(notification.uid)
    if settings.NOTIFY_SMS_PROVIDER == "aliyun":
        if not target.secret or not settings.NOTIFY_SMS_KEY_ID:
            raise DeliveryError(
                "Alibaba Cloud SMS needs NOTIFY_SMS_KEY_ID and a key secret.", retryable=False
            )
        params = aliyun_params(notification, phone, target.secret)
        answer = post(
            target.url,
            uid=uid,
            form=params,
            secrets=[target.secret, settings.NOTIFY_SMS_KEY_ID, params["Signature"]],
            only_2xx=False,
        )
        error = aliyun_error(answer, public_url(target.url))
        if error is not None:
            raise error
        return
    body = {"phone": phone, "text": sms_text(notification), "key": target.secret, "id": uid}
    post(target.url, uid=uid, json_body=body, secrets=[target.secret])


def adapter(notification: Notification) -> None:
    """The registered adapter: the gateway of the recipient's center, else NOTIFY_SMS_URL."""
    deliver(notification, sms_target(notification))


ADAPTERS[Channel.SMS] = adapter
