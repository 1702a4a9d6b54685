"""Writing notifications: the outbox, filled inside the transaction of the event that causes them.

``announce`` turns one event into rows, one per recipient and channel, and inserts them with
``ON CONFLICT DO NOTHING``: the unique constraints on (event_key, recipient|center, channel) make
a retried or racing caller a no-op, and a rolled-back transaction takes its rows with it. The
worker (notify.delivery) sends what is pending afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone, translation

from gridmap.models import Area
from notify.choices import GROUP_CHANNELS, Channel, Event, Status
from notify.models import CenterChannel, Notification, Preference
from notify.prepared import execute_prepared

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
    preferences: Mapping[int, Preference | None] | None = None,
    center_channels: Mapping[int, Mapping[str, bool]] | None = None,
) -> int:
    """Write the event's notifications in the caller's transaction; how many rows were new.

    Each active recipient gets a site row (stored as sent: the row is the message) and, if they
    opted in for this event and are under the daily cap, an SMS row (held until the end of their
    quiet hours unless ``urgent``). Each center gets one row per group channel it has: its own
    enabled CenterChannel of that kind, else the environment's default webhook. Rows that exist
    already for (event_key, addressee, channel) are left alone by the database.

    A hot path that has read them already may pass ``preferences`` (each recipient's Preference
    or None) and ``center_channels`` (each center's own channels: kind → enabled) to save the
    queries that would read them.
    """
    if not connection.in_atomic_block:
        raise OutboxError("announce() must run inside the transaction of the event it announces.")
    users = {u.pk: u for u in recipients if u is not None and getattr(u, "is_active", True)}
    # Areas or their ids: callers often have only the id at hand.
    area_ids = list(dict.fromkeys(getattr(a, "pk", a) for a in centers if a is not None))
    now = timezone.now()
    common = {
        "event": str(event),
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

    rows: list[tuple] = []

    def row(**values: object) -> None:
        # Plain tuples in COLUMNS order, not model instances: this runs inside assign().
        values = {**common, **values}
        rows.append(tuple(values.get(column, DEFAULTS.get(column)) for column in COLUMNS))

    sms_to = (
        _sms_recipients(users.values(), event, now, urgent=urgent, known=preferences)
        if users
        else {}
    )
    for user in users.values():
        title, body = text(user.language or CENTER_LANGUAGE)
        row(uid=uuid.uuid4(), recipient_id=user.pk, channel=Channel.SITE.value, title=title,
            text=body, status=Status.SENT.value, next_attempt_at=now, sent_at=now)  # fmt: skip
        if user.pk in sms_to:
            row(uid=uuid.uuid4(), recipient_id=user.pk, channel=Channel.SMS.value, title=title,
                text=body, next_attempt_at=sms_to[user.pk])  # fmt: skip
    if area_ids:
        title, body = text(CENTER_LANGUAGE)
        for area_id, channel in _group_channels(area_ids, center_channels):
            row(uid=uuid.uuid4(), center_id=area_id, channel=channel, title=title, text=body,
                next_attempt_at=now)  # fmt: skip
    # External rows wake the delivery worker at commit (the triggers of notify/0005).
    return _insert(rows)


# The outbox's columns, and the values of those a row does not set (as the model's defaults).
COLUMNS = (
    "uid", "event", "event_key", "recipient_id", "center_id", "channel", "incident_id", "title",
    "text", "link", "urgent", "status", "attempts", "last_error", "created_at", "next_attempt_at",
    "sent_at", "read_at",
)  # fmt: skip
DEFAULTS = {"status": Status.PENDING.value, "attempts": 0, "last_error": ""}


def _insert(rows: list[tuple]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; how many rows were new (bulk_create cannot say)."""
    if not rows:
        return 0
    # Prepared once per connection and number of rows (one to a few per event): it runs inside
    # assign(), where parsing and planning it cost as much as running it.
    cursor = execute_prepared(_insert_sql(len(rows)), [value for row in rows for value in row])
    return cursor.rowcount


@functools.lru_cache(maxsize=32)
def _insert_sql(count: int) -> str:
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    return (
        f"INSERT INTO notify_notification ({', '.join(COLUMNS)}) "
        f"VALUES {', '.join([one] * count)} ON CONFLICT DO NOTHING"
    )


def _sms_recipients(
    users: Iterable,
    event: str,
    now: dt.datetime,
    *,
    urgent: bool,
    known: Mapping[int, Preference | None] | None,
) -> dict[int, dt.datetime]:
    """Users to text about ``event``, with when: opted in, a phone, under today's cap; a
    non-urgent message waits for the end of the user's quiet hours."""
    by_id = {u.pk: u for u in users if getattr(u, "phone", "")}
    if not by_id:
        return {}
    if known is None:
        prefs = Preference.objects.filter(user_id__in=by_id, sms_events__contains=[event])
    else:
        prefs = [p for p in (known.get(pk) for pk in by_id) if p and event in p.sms_events]
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


def _group_channels(
    area_ids: list[int], known: Mapping[int, Mapping[str, bool]] | None = None
) -> list[tuple[int, str]]:
    """(area, channel) for each group channel the centers have: own setting, else the default."""
    if known is None:
        own = {
            (area_id, kind): enabled
            for area_id, kind, enabled in CenterChannel.objects.filter(
                area_id__in=area_ids, kind__in=GROUP_CHANNELS
            ).values_list("area_id", "kind", "enabled")
        }
    else:
        own = {(a, kind): on for a in area_ids for kind, on in known.get(a, {}).items()}
    found = []
    for area_id in area_ids:
        for channel in GROUP_CHANNELS:
            enabled = own.get((area_id, channel.value))
            if enabled is None:
                enabled = bool(getattr(settings, ENV_GROUP_SETTINGS[channel], ""))
            if enabled:
                found.append((area_id, channel.value))
    return found
