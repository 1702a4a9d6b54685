"""What is recorded about a matter: its parties, photos and the append-only trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField, KeyedHashField
from incidents.choices import EventKind, PartyRole, State
from incidents.models.incident import Incident


class Party(models.Model):
    """A person involved in a matter. Personal data: masked for roles that do not need it."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=PartyRole.choices, default=PartyRole.APPLICANT
    )
    name = models.CharField(_("name"), max_length=50)
    # Encrypted at rest (accounts.crypto): the attributes are plain text, the columns hold Fernet
    # tokens, and exact search goes through the keyed hashes beside them.
    phone = EncryptedTextField(_("phone"), blank=True, db_column="phone_encrypted")
    id_number = EncryptedTextField(_("ID number"), blank=True, db_column="id_number_encrypted")
    phone_hash = KeyedHashField(_("phone (keyed hash)"), source="phone", kind="phone")
    id_number_hash = KeyedHashField(
        _("ID number (keyed hash)"), source="id_number", kind="id_number"
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["incident", "id"]

    def __str__(self) -> str:
        return self.name


def photo_path(photo: Photo, filename: str) -> str:
    """Where a photo is stored under MEDIA_ROOT: by month, named by a fresh UUID."""
    now = timezone.now()
    return f"incidents/{now:%Y/%m}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """A photo of a matter, re-encoded as JPEG on upload (size-capped, metadata stripped)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("image"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["incident", "id"]

    def __str__(self) -> str:
        return self.image.name


class IncidentEvent(models.Model):
    """One entry of a matter's trail: who did what, when, from which state to which.

    Append-only: a database trigger refuses UPDATE and DELETE on this table.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the system (deadline checks)."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=12, blank=True)
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # ``at`` is when it happened; a phone that was offline sends a step later than that.
    received_at = models.DateTimeField(
        _("received at"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("When the server recorded it (empty on entries from before this was kept)."),
    )

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["incident", "at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_event_time_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
