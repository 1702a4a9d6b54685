"""Matters the center handles: categories, handling units, incidents, parties, photos, the trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField, KeyedHashField
from gridmap.coords import InputCRS
from gridmap.models import WGS84, Area
from incidents.choices import (
    OPEN_STATES,
    DepartmentMode,
    EventKind,
    IncidentKind,
    PartyRole,
    Result,
    Satisfaction,
    Source,
    State,
    Tier,
    UnitKind,
)


class Category(models.Model):
    """One entry of the category code table (seeded, editable in the admin)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)
    active = models.BooleanField(
        pgettext_lazy("in use", "active"),
        default=True,
        help_text=_("Inactive categories are kept for old matters."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["kind", "position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (Chinese unless English is asked for and known)."""
        language = get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class HandlingUnit(models.Model):
    """A center (one per county/township/village area) or a department that handles matters."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    mode = models.CharField(
        _("handling mode"),
        max_length=12,
        choices=DepartmentMode.choices,
        blank=True,
        help_text=_("Departments only: how the department handles what it is given."),
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="handling_units",
        help_text=_("A center's area, or the area whose center a department sits at."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="handling_units",
        help_text=_("Department staff who work this unit's queue."),
    )
    active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["kind", "area__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(kind=UnitKind.CENTER),
                name="one_center_per_area",
                violation_error_message=_("An area has one center."),
            ),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.CENTER, mode="")
                | Q(kind=UnitKind.DEPARTMENT) & ~Q(mode=""),
                name="department_has_mode",
                violation_error_message=_("A department has a handling mode; a center has none."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class HandledTally(models.Model):
    """Handled matters counted per grid cell, handling unit, kind and state; kept by the database.

    The map's aggregated tiles (below the zoom of single matters) read these rows instead of
    every handled matter: a county's history grows by the hundred thousand, while these rows
    stay bounded by grids × units × kinds × states. Triggers on the incidents table (migration
    0005) add and subtract on every insert, delete and change of a counted column, in the
    writer's transaction, so the counts are never behind the matters. Only handled states are
    counted: open matters change often and carry overdue marks that move with time; the tiles
    read those one by one.
    """

    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="+"
    )
    handling_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("handling unit"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IncidentKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    count = models.PositiveIntegerField(_("matters"))
    # Sums of the matters' Web-Mercator coordinates: their mean is where the map draws the count,
    # and a sum can be kept up to date by adding and subtracting.
    sum_x = models.FloatField(_("sum of x (m)"))
    sum_y = models.FloatField(_("sum of y (m)"))
    # The mean again, as a point: a GiST index on it finds the rows inside a tile.
    centre = models.PointField(_("mean position"), srid=3857, null=True)

    class Meta:
        verbose_name = _("handled-matter tally")
        verbose_name_plural = _("handled-matter tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "handling_unit", "kind", "state"],
                nulls_distinct=False,
                name="handled_tally_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.handling_unit_id} {self.kind} {self.state}: {self.count}"
