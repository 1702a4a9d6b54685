"""A matter (dispute, hazard, petition or request), from intake to closure."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridmap.coords import InputCRS
from gridmap.models import WGS84, Area
from incidents.choices import OPEN_STATES, IncidentKind, Result, Satisfaction, Source, State, Tier
from incidents.models.catalog import Category, HandlingUnit


class Incident(models.Model):
    """One matter (dispute, hazard, petition or request), from intake to closure."""

    uid = models.UUIDField(
        _("client UUID"),
        unique=True,
        default=uuid.uuid4,
        editable=False,
        help_text=_("Sent by the client so that a retried submission returns the first record."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="incidents"
    )
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)

    location = models.PointField(
        _("location"), srid=WGS84, help_text=_("The first reported point, EPSG:4326 (degrees).")
    )
    locations = models.MultiPointField(
        _("locations"), srid=WGS84, help_text=_("Every reported point, EPSG:4326 (degrees).")
    )
    input_crs = models.CharField(
        _("input coordinate system"),
        max_length=5,
        choices=InputCRS.choices,
        default=InputCRS.WGS84,
        help_text=_("What the client sent; points are stored converted to WGS84."),
    )
    location_accuracy_m = models.FloatField(
        _("location accuracy (m)"), null=True, blank=True, help_text=_("As the device reported it.")
    )
    # Device clocks (offline reports reach the server later): shown beside received_at, which
    # stays the server's time and the start of the deadline.
    located_at = models.DateTimeField(
        _("GPS fix time"),
        null=True,
        blank=True,
        help_text=_("When the phone took the GPS position, by the phone's clock."),
    )
    reported_at = models.DateTimeField(
        _("reported on the phone at"),
        null=True,
        blank=True,
        help_text=_("When the reporter pressed send, by the phone's clock (offline reports)."),
    )
    # The chain at intake is stored, not recomputed: a later re-division must not move old matters.
    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="incidents"
    )
    village = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        Area, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    outside_grid = models.BooleanField(
        _("outside every grid"),
        default=False,
        help_text=_("The point lies outside every grid cell; the grid is the nearest one."),
    )
    outside_distance_m = models.FloatField(_("distance to the grid (m)"), null=True, blank=True)

    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
    )
    multi_department = models.BooleanField(
        _("involves several departments"),
        default=False,
        help_text=_("Goes to the county center as a joint mediation team."),
    )
    supervised = models.BooleanField(_("supervised (挂牌督办)"), default=False)
    owner_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owning leader (领导包案)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_incidents",
    )

    handling_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    route_override_reason = models.TextField(
        _("reason for overriding the routing rule"), blank=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_incidents",
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )

    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    report_back_due_at = models.DateTimeField(_("report back by"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(
        _("escalated at"),
        null=True,
        blank=True,
        help_text=_("When the deadline check moved the overdue matter to the parent center."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    synthetic = models.BooleanField(_("synthetic (demo)"), default=False)
    # Past matters brought in from a county's ledgers (onboarding, issue 19): closed, counted in
    # analytics unless a filter leaves them out, and placed at an area's label point when the
    # ledger gave only place names.
    # Defaults in the database too: writers that do not know these columns (the previous
    # release during an upgrade, COPY, hand-written SQL) still insert matters.
    imported = models.BooleanField(_("imported from a ledger"), default=False, db_default=False)
    location_approximate = models.BooleanField(
        _("approximate location (area centre)"),
        default=False,
        db_default=False,
        help_text=_("Placed at the label point of the area the ledger names, not where it was."),
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="incident_state_due_idx"),
            models.Index(fields=["category", "received_at"], name="incident_category_time_idx"),
            models.Index(fields=["handling_unit", "state"], name="incident_unit_state_idx"),
            models.Index(fields=["received_at"], name="incident_received_idx"),
            # The map tiles' ETag reads max(updated_at) on every request.
            models.Index(fields=["updated_at"], name="incident_updated_idx"),
            # The map's default layer and its aggregated tiles read open matters one by one: an
            # index of those alone is a small fraction of the location index of every matter.
            # (An expression, not ``fields``: GeoDjango's spatial-index SQL drops a condition.)
            GistIndex(
                F("location"), condition=Q(state__in=OPEN_STATES), name="incident_open_location_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=F("received_at")),
                name="incident_due_after_received",
                violation_error_message=_("The due time cannot be before intake."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The matter's number as staff quote it: intake date and id."""
        received = timezone.localtime(self.received_at) if self.received_at else timezone.now()
        return f"{received:%Y%m%d}-{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        """Still open past its due time or its report-back time."""
        if not self.is_open:
            return False
        now = timezone.now()
        return self.due_at < now or (
            self.report_back_due_at is not None and self.report_back_due_at < now
        )

    @property
    def was_late(self) -> bool:
        """Handled after its due time."""
        return self.handled_at is not None and self.handled_at > self.due_at
