"""Patrols (巡查) of grid leaders: when, the GPS track, its figures, the reports made on the way.

The track is personal data (where a person walked, when): it is shown only to the leader and the
centers above their grid (patrols.access), and its points are deleted after
PATROL_TRACK_RETENTION_DAYS (patrols.retention); the figures stay.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridmap.models import WGS84, Area
from incidents.models import Incident


class Patrol(models.Model):
    """One patrol of a grid leader in their grid, from start to end."""

    uid = models.UUIDField(
        _("client UUID"),
        unique=True,
        default=uuid.uuid4,
        help_text=_("Sent by the phone so that a retried start returns the first record."),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid leader"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="patrols"
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    track = models.LineStringField(
        _("track"),
        srid=WGS84,
        null=True,
        blank=True,
        help_text=_("The points in time order, EPSG:4326 (degrees); emptied after retention."),
    )
    point_count = models.PositiveIntegerField(_("points"), default=0)
    distance_m = models.FloatField(_("distance (m)"), default=0.0)
    covered_share = models.FloatField(
        _("share of the grid within 50 m"),
        null=True,
        blank=True,
        help_text=_("Area of the grid within 50 m of the track / area of the grid (0-1)."),
    )
    track_deleted_at = models.DateTimeField(
        _("track deleted at"),
        null=True,
        blank=True,
        help_text=_("When the retention job deleted the points; the figures are kept."),
    )

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["grid", "started_at"], name="patrol_grid_time_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["leader"],
                condition=Q(ended_at__isnull=True),
                name="one_open_patrol_per_leader",
                violation_error_message=_("A grid leader has one open patrol at a time."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="patrol_ends_after_start",
                violation_error_message=_("A patrol cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def covered_percent(self) -> str:
        """The covered share as a percentage with one decimal ("—" without a track)."""
        return "—" if self.covered_share is None else f"{100 * self.covered_share:.1f}%"

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end (None while open)."""
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class TrackBatch(models.Model):
    """One batch of points as the phone sent it: its uid makes a resent batch a no-op."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="batches"
    )
    uid = models.UUIDField(_("client UUID"), unique=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    point_count = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("track batch")
        verbose_name_plural = _("track batches")

    def __str__(self) -> str:
        return str(self.uid)


class TrackPoint(models.Model):
    """One GPS fix of a patrol, with the device's accuracy and time."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="points"
    )
    at = models.DateTimeField(_("recorded at"))
    point = models.PointField(_("position"), srid=WGS84, help_text=_("EPSG:4326 (degrees)."))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)

    class Meta:
        verbose_name = _("track point")
        verbose_name_plural = _("track points")
        ordering = ["patrol", "at", "id"]
        indexes = [models.Index(fields=["patrol", "at"], name="trackpoint_patrol_time_idx")]

    def __str__(self) -> str:
        return f"{self.patrol_id} {self.at:%H:%M:%S}"


class PatrolReport(models.Model):
    """A matter reported by the leader while the patrol was open."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="reports"
    )
    incident = models.OneToOneField(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="patrol_link"
    )

    class Meta:
        verbose_name = _("report on a patrol")
        verbose_name_plural = _("reports on patrols")

    def __str__(self) -> str:
        return f"{self.patrol_id} → {self.incident_id}"


class PatrolMonth(models.Model):
    """A month's patrol figures of one grid and leader, frozen before its tracks are deleted.

    The monthly coverage needs the union of the month's tracks; once retention deletes them the
    figure is read from here instead (patrols.coverage).
    """

    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the grid's figures over all its leaders' patrols."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month, local time."))
    patrols = models.PositiveIntegerField(_("patrols"))
    duration_s = models.FloatField(_("time on patrol (s)"))
    distance_m = models.FloatField(_("distance (m)"))
    covered_share = models.FloatField(_("share of the grid within 50 m"))

    class Meta:
        verbose_name = _("month of patrols")
        verbose_name_plural = _("months of patrols")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "leader", "month"],
                nulls_distinct=False,
                name="one_patrol_month_per_grid_leader",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.leader_id} {self.month:%Y-%m}"
