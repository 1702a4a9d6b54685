"""Notifications (the outbox) and the per-center channel settings.

A notification row is written in the same transaction as the event that causes it, so it exists
exactly when the event does; the worker delivers pending rows afterwards. ``event_key`` names the
causing event (e.g. ``offer:1234``): one notification per event, recipient and channel, enforced
by the database even when two workers race.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField
from gridmap.models import Area
from notify.choices import Channel, Event, Status


class Notification(models.Model):
    """One message about one event, to one person or one center's group, on one channel."""

    uid = models.UUIDField(
        _("delivery key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Sent with the message so a gateway can drop a repeated delivery."),
    )
    event = models.CharField(_("event"), max_length=24, choices=Event.choices)
    event_key = models.CharField(_("event key"), max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    center = models.ForeignKey(
        Area,
        verbose_name=_("center"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("For group channels: the area whose center's group gets the message."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # By name, not import: notify sits below incidents in the layering.
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("matter"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) ^ Q(center__isnull=True),
                name="notification_one_addressee",
            ),
            models.UniqueConstraint(
                fields=["event_key", "recipient", "channel"],
                condition=Q(recipient__isnull=False),
                name="notification_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["event_key", "center", "channel"],
                condition=Q(center__isnull=False),
                name="notification_once_per_center",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status=Status.PENDING),
                name="notification_due",
            ),
            models.Index(fields=["recipient", "channel", "status"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient or self.center} ({self.channel})"


class CenterChannel(models.Model):
    """A center's group robot or SMS gateway; centers without one use the environment's."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("center's area"),
        on_delete=models.CASCADE,
        related_name="notify_channels",
    )
    kind = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(c.value, c.label) for c in Channel if c != Channel.SITE],
    )
    # Both carry credentials (a WeCom robot's key is in its URL): encrypted at rest like parties'
    # ID numbers (accounts.crypto); the admin form checks the URL and never shows either back.
    url = EncryptedTextField(_("URL"))
    secret = EncryptedTextField(
        _("secret"),
        blank=True,
        help_text=_("DingTalk signing secret or gateway key; never shown again or logged."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("center channel")
        verbose_name_plural = _("center channels")
        constraints = [
            models.UniqueConstraint(fields=["area", "kind"], name="one_channel_kind_per_center")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_kind_display()}"


class Preference(models.Model):
    """What one user wants beyond the site: SMS for which events, and quiet hours.

    The site channel is always on (the bell and the list are the record). Group channels belong
    to centers, not people. A user without a row gets the defaults: no SMS, no quiet hours.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    sms_events = ArrayField(
        models.CharField(max_length=24, choices=Event.choices),
        verbose_name=_("events sent by SMS"),
        default=list,
        blank=True,
        help_text=_("SMS is opt-in, per event; sent to the phone of the account."),
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def quiet_until(self, at: dt.datetime) -> dt.datetime | None:
        """When the quiet hours around ``at`` end (local time), or None outside them."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = timezone.localtime(at)
        now_t = local.time()
        start, end = self.quiet_start, self.quiet_end
        if start < end:  # e.g. 12:00–14:00, within one day
            inside = start <= now_t < end
            end_day = local.date()
        else:  # e.g. 22:00–07:00, across midnight
            inside = now_t >= start or now_t < end
            end_day = local.date() + dt.timedelta(days=1 if now_t >= start else 0)
        if not inside:
            return None
        return dt.datetime.combine(end_day, end, tzinfo=local.tzinfo)
