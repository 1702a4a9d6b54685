"""The four-level grid network: areas, their boundary history, and the grid workers."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridmap.choices import (
    CODE_LENGTH,
    AreaLevel,
    GridWorkerRole,
    ancestor_codes,
    child_level,
    code_prefix,
    parent_level,
)

WGS84 = 4326


# The geometry columns of an Area: a county outline runs to hundreds of kilobytes, so rows
# loaded for their code or name (and areas joined to other rows) leave these out.
AREA_SHAPE_FIELDS = ("boundary", "display_boundary", "label_point")


class AreaQuerySet(models.QuerySet):
    def without_shapes(self) -> AreaQuerySet:
        """Areas loaded without their geometry columns."""
        return self.defer(*AREA_SHAPE_FIELDS)

    def current(self) -> AreaQuerySet:
        """Areas in force today (not retired by a re-division)."""
        return self.filter(valid_to__isnull=True)

    def within(self, area: Area) -> AreaQuerySet:
        """``area`` and every area below it (code-prefix subtree)."""
        return self.filter(code__startswith=area.code_prefix)


class Area(models.Model):
    """One polygon of the grid network: the county, a township, a village/community or a grid cell.

    The row holds the boundary in force; superseded boundaries live in ``AreaVersion``.
    """

    code = models.CharField(
        _("statistical code"),
        max_length=15,
        unique=True,
        help_text=_("12 digits (county/township/village) or 15 digits (grid = village + 3)."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    boundary = models.MultiPolygonField(
        _("boundary"), srid=WGS84, help_text=_("Boundary in force, EPSG:4326 (degrees).")
    )
    display_boundary = models.MultiPolygonField(
        _("display boundary"),
        srid=WGS84,
        help_text=_("Simplified boundary for maps, EPSG:4326 (degrees); never used for lookups."),
    )
    label_point = models.PointField(
        _("label point"),
        srid=WGS84,
        spatial_index=False,
        help_text=_("A point inside the boundary for labels, EPSG:4326."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    synthetic = models.BooleanField(
        _("synthetic boundary"),
        default=False,
        help_text=_("Generated for the demo; not an official boundary."),
    )
    version = models.PositiveIntegerField(_("boundary version"), default=1)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("Set when a re-division retires the area; retired areas stay for history."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["level", "code"], name="area_level_code_idx"),
            # Point → grid looks only at grid cells in force: a smaller, exact index for it.
            GistIndex(
                fields=["boundary"],
                condition=Q(level=AreaLevel.GRID, valid_to__isnull=True),
                name="area_current_grid_gist",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level=AreaLevel.GRID, code__regex=r"^[0-9]{15}$")
                    | (~Q(level=AreaLevel.GRID) & Q(code__regex=r"^[0-9]{12}$"))
                ),
                name="area_code_format",
                violation_error_message=_(
                    "A grid code has 15 digits; county, township and village codes have 12."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level=AreaLevel.COUNTY) | Q(parent__isnull=False),
                name="area_parent_required",
                violation_error_message=_("Only the county has no parent area."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def code_prefix(self) -> str:
        """The prefix every descendant's code starts with."""
        return code_prefix(self.code, self.level)

    @property
    def ancestor_codes(self) -> list[str]:
        return ancestor_codes(self.code, self.level)

    def clean(self) -> None:
        errors = hierarchy_errors(
            code=self.code, level=self.level, parent=self.parent if self.parent_id else None
        )
        if errors:
            raise ValidationError(errors)


def hierarchy_errors(*, code: str, level: str, parent: Area | None) -> dict[str, str]:
    """The tree invariants broken by an area with this code, level and parent, by field."""
    errors: dict[str, str] = {}
    if level in CODE_LENGTH and not (code.isdigit() and len(code) == CODE_LENGTH[level]):
        errors["code"] = _("A %(level)s code has %(digits)d digits; got %(code)r.") % {
            "level": level,
            "digits": CODE_LENGTH[level],
            "code": code,
        }
    expected_parent = parent_level(level) if level in CODE_LENGTH else None
    if parent is None:
        if expected_parent is not None:
            errors["parent"] = _("A %(level)s needs a parent %(parent)s.") % {
                "level": level,
                "parent": expected_parent,
            }
        return errors
    if parent.level != expected_parent:
        errors["level"] = _(
            "A child's level is one below its parent's: a %(parent_level)s's child is a "
            "%(expected)s, not a %(level)s."
        ) % {"parent_level": parent.level, "expected": child_level(parent.level), "level": level}
    elif not code.startswith(parent.code_prefix) or code == parent.code:
        errors["code"] = _(
            "A child's code starts with its parent's: %(code)s is not under %(parent)s "
            "(prefix %(prefix)s)."
        ) % {"code": code, "parent": parent.code, "prefix": parent.code_prefix}
    return errors


class AreaVersion(models.Model):
    """A superseded boundary of an area, kept so that old statistics and incidents stay right."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("boundary version"))
    name = models.CharField(_("name"), max_length=100)
    boundary = models.MultiPolygonField(
        _("boundary"), srid=WGS84, help_text=_("Boundary as it was, EPSG:4326 (degrees).")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), help_text=_("First day the boundary no longer held.")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("boundary version")
        verbose_name_plural = _("boundary versions")
        ordering = ["area", "version"]
        constraints = [
            models.UniqueConstraint(fields=["area", "version"], name="area_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")),
                name="area_version_period",
                violation_error_message=_("A version ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} v{self.version} ({self.valid_from} – {self.valid_to})"


class GridWorker(models.Model):
    """A grid leader or member (网格长/网格员) attached to one grid cell."""

    area = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="workers",
        limit_choices_to={"level": AreaLevel.GRID},
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(
        _("role"), max_length=10, choices=GridWorkerRole.choices, default=GridWorkerRole.LEADER
    )
    phone = models.CharField(
        _("service phone"),
        max_length=20,
        blank=True,
        help_text=_("Shown on the grid notice board, as grid leaders' phones are."),
    )
    active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(_("synthetic person"), default=False)
    home_point = models.PointField(
        _("home point"),
        srid=WGS84,
        null=True,
        blank=True,
        help_text=_("Where the worker is usually found, EPSG:4326."),
    )

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["area__code", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(role=GridWorkerRole.LEADER, active=True),
                name="one_active_leader_per_grid",
                violation_error_message=_("A grid has one active grid leader."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.area.name})"

    def clean(self) -> None:
        if self.area_id and self.area.level != AreaLevel.GRID:
            raise ValidationError({"area": _("Grid workers are attached to a grid cell.")})


class AreaImport(models.Model):
    """One run of import_areas: what was read, what changed, and the validation report."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    source = models.CharField(_("source file"), max_length=500)
    source_crs = models.CharField(_("source CRS"), max_length=50)
    created = models.PositiveIntegerField(_("areas created"), default=0)
    updated = models.PositiveIntegerField(_("boundaries re-versioned"), default=0)
    unchanged = models.PositiveIntegerField(_("areas unchanged"), default=0)
    repaired = models.PositiveIntegerField(_("geometries repaired"), default=0)
    report = models.JSONField(_("validation report"), default=dict)

    class Meta:
        verbose_name = _("area import")
        verbose_name_plural = _("area imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M}"


class RequestCount(models.Model):
    """Requests of one client to one throttled scope in the current window (gridmap.throttling).

    In PostgreSQL rather than a per-process cache, so that every server worker counts alike.
    """

    key = models.CharField(_("scope and client"), max_length=200, primary_key=True)
    window = models.BigIntegerField(_("window number"))
    hits = models.PositiveIntegerField(_("requests in the window"), default=0)

    class Meta:
        verbose_name = _("request count")
        verbose_name_plural = _("request counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
