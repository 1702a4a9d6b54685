"""System checks: channel settings from the environment that would fail every delivery."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from notify.channels import DeliveryError
from notify.channels.http import check_url

URL_SETTINGS = ("NOTIFY_WECOM_WEBHOOK", "NOTIFY_DINGTALK_WEBHOOK", "NOTIFY_SMS_URL")


@register()
def channel_settings(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Warns about a default URL the adapters would refuse and a CA bundle that is not there."""
    found: list[CheckMessage] = []
    for name in URL_SETTINGS:
        url = getattr(settings, name)
        if not url:
            continue
        try:
            check_url(url)
        except DeliveryError as exc:
            found.append(Warning(f"{name}: {exc}", id="notify.W001"))
    bundle = settings.NOTIFY_CA_BUNDLE
    if bundle and not Path(bundle).is_file():
        found.append(Warning(f"NOTIFY_CA_BUNDLE: no file at {bundle}.", id="notify.W002"))
    if settings.NOTIFY_SMS_PROVIDER == "aliyun" and settings.NOTIFY_SMS_URL:
        missing = [
            name
            for name in ("NOTIFY_SMS_KEY_ID", "NOTIFY_SMS_SIGN_NAME", "NOTIFY_SMS_TEMPLATE")
            if not getattr(settings, name)
        ]
        if missing:
            found.append(
                Warning(f"NOTIFY_SMS_PROVIDER=aliyun needs {', '.join(missing)}.", id="notify.W003")
            )
    return found
