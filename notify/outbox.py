"""Writing notifications: the outbox, filled inside the transaction of the event that causes them.

``announce`` turns one event into rows, one per recipient and channel, and inserts them with
``ON CONFLICT DO NOTHING``: the unique constraints on (event_key, recipient|center, channel) make
a retried or racing caller a no-op, and a rolled-back transaction takes its rows with it. The
worker (notify.delivery) sends what is pending afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone, translation

from gridmap.models import Area
from notify.choices import GROUP_CHANNELS, Channel, Event, Status
from notify.models import CenterChannel, Notification, Preference

# Group messages go to a county's staff chat: written in the county's language.
CENTER_LANGUAGE = "zh-hans"
ENV_GROUP_SETTINGS = {
    Channel.WECOM: "NOTIFY_WECOM_WEBHOOK",
    Channel.DINGTALK: "NOTIFY_DINGTALK_WEBHOOK",
}


class OutboxError(RuntimeError):
    """announce() called outside a transaction: its rows could outlive a rolled-back event."""


@dataclass(frozen=True)
class Message:
    """What to say: translatable title and text (``%(name)s`` placeholders) and a link.

    ``title`` and ``text`` are lazy translations (gettext_lazy); ``params`` fill them, and any
    lazy value among the params is translated too, each in the recipient's language.
    """

    title: str
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    link: str = ""

    def render(self, language: str) -> tuple[str, str]:
        """The title and text in ``language``."""
        with translation.override(language):
            params = {key: str(value) for key, value in self.params.items()}
            title = str(self.title) % params if params else str(self.title)
            text = str(self.text) % params if params else str(self.text)
        return title[:200], text


def announce(
    *,
    event: Event,
    event_key: str,
    message: Message,
    recipients: Iterable = (),
    centers: Iterable[Area | int] = (),
    incident: object | None = None,
    urgent: bool = False,
) -> int:
    """Write the event's notifications in the caller's transaction; the number of rows offered.

    Each active recipient gets a site row (stored as sent: the row is the message) and, if they
    opted in for this event and are under the daily cap, an SMS row (held until the end of their
    quiet hours unless ``urgent``). Each center gets one row per group channel it has: its own
    enabled CenterChannel of that kind, else the environment's default webhook. Rows that exist
    already for (event_key, addressee, channel) are left alone by the database.
    """
    if not connection.in_atomic_block:
        raise OutboxError("announce() must run inside the transaction of the event it announces.")
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    # Areas or their ids: callers often have only the id at hand.
    area_ids = list(dict.fromkeys(getattr(a, "pk", a) for a in centers if a is not None))
    now = timezone.now()
    common = {
        "event": event,
        "event_key": event_key[:120],
        "incident_id": getattr(incident, "pk", None),
        "link": message.link[:300],
        "urgent": urgent,
        "created_at": now,
    }
    rendered: dict[str, tuple[str, str]] = {}

    def text(language: str) -> tuple[str, str]:
        if language not in rendered:
            rendered[language] = message.render(language)
        return rendered[language]

    rows: list[Notification] = []
    sms_to = _sms_recipients(users.values(), event, now, urgent=urgent) if users else {}
    for user in users.values():
        title, body = text(user.language or CENTER_LANGUAGE)
        rows.append(
            Notification(
                **common,
                recipient=user,
                channel=Channel.SITE,
                title=title,
                text=body,
                status=Status.SENT,
                next_attempt_at=now,
                sent_at=now,
            )
        )
        if user.pk in sms_to:
            rows.append(
                Notification(
                    **common,
                    recipient=user,
                    channel=Channel.SMS,
                    title=title,
                    text=body,
                    next_attempt_at=sms_to[user.pk],
                )
            )
    if area_ids:
        title, body = text(CENTER_LANGUAGE)
        for area_id, channel in _group_channels(area_ids):
            rows.append(
                Notification(
                    **common,
                    center_id=area_id,
                    channel=channel,
                    title=title,
                    text=body,
                    next_attempt_at=now,
                )
            )
    return _insert(rows)


def _insert(rows: list[Notification]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; how many rows were new (bulk_create cannot say)."""
    if not rows:
        return 0
    fields = [f for f in Notification._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    table = connection.ops.quote_name(Notification._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _sms_recipients(
    users: Iterable, event: str, now: dt.datetime, *, urgent: bool
) -> dict[int, dt.datetime]:
    """Users to text about ``event``, with when: opted in, a phone, under today's cap; a
    non-urgent message waits for the end of the user's quiet hours."""
    by_id = {u.pk: u for u in users if getattr(u, "phone", "")}
    if not by_id:
        return {}
    prefs = Preference.objects.filter(user_id__in=by_id, sms_events__contains=[event])
    wanted = {p.user_id: p for p in prefs}
    if not wanted or not sms_configured():
        return {}
    cap = int(getattr(settings, "NOTIFY_SMS_DAILY_CAP", 20))
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sent_today = dict(
        Notification.objects.filter(
            recipient_id__in=wanted, channel=Channel.SMS, created_at__gte=day_start
        )
        .values_list("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return {
        user_id: now if urgent else (pref.quiet_until(now) or now)
        for user_id, pref in wanted.items()
        if sent_today.get(user_id, 0) < cap
    }


def sms_configured() -> bool:
    """An SMS gateway exists: the environment's or an enabled one of some center."""
    if getattr(settings, "NOTIFY_SMS_URL", ""):
        return True
    return CenterChannel.objects.filter(kind=Channel.SMS, enabled=True).exists()


def _group_channels(area_ids: list[int]) -> list[tuple[int, str]]:
    """(area, channel) for each group channel the centers have: own setting, else the default."""
    own = {
        (area_id, kind): enabled
        for area_id, kind, enabled in CenterChannel.objects.filter(
            area_id__in=area_ids, kind__in=GROUP_CHANNELS
        ).values_list("area_id", "kind", "enabled")
    }
    found = []
    for area_id in area_ids:
        for channel in GROUP_CHANNELS:
            enabled = own.get((area_id, channel.value))
            if enabled is None:
                enabled = bool(getattr(settings, ENV_GROUP_SETTINGS[channel], ""))
            if enabled:
                found.append((area_id, channel.value))
    return found
