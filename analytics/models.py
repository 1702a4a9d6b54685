"""Stored hot-spot runs: one row per analysis (area, period, filter, parameters), one per unit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.choices import BriefingKind, Measure, Trend, Unit, Weights
from gridmap.models import WGS84, Area


class HotspotRun(models.Model):
    """One Gi* analysis of an area's matters over a period, reused by the map and briefings."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="hotspot_runs"
    )
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices)
    weights = models.CharField(_("weights"), max_length=6, choices=Weights.choices)
    measure = models.CharField(
        _("measure"), max_length=6, choices=Measure.choices, default=Measure.COUNT
    )
    period_label = models.CharField(_("period"), max_length=10)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("First day after the period."))
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    incident_count = models.PositiveIntegerField(_("matters"), default=0)
    cell_count = models.PositiveIntegerField(_("units"), default=0)
    hot_count = models.PositiveIntegerField(_("hot spots (95%)"), default=0)
    cold_count = models.PositiveIntegerField(_("cold spots (95%)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("hot-spot run")
        verbose_name_plural = _("hot-spot runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "period_start", "unit"], name="hotspot_run_idx")]

    def __str__(self) -> str:
        return f"{self.area.code} {self.period_label} {self.unit}"


class HotspotCell(models.Model):
    """One unit (grid cell or H3 hexagon) of a run: its count, Gi* and class."""

    run = models.ForeignKey(
        HotspotRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="cells"
    )
    key = models.CharField(_("unit key"), max_length=20, help_text=_("Grid code or H3 index."))
    area = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    geometry = models.MultiPolygonField(
        _("geometry"), srid=WGS84, help_text=_("The unit's outline, EPSG:4326 (degrees).")
    )
    count = models.PositiveIntegerField(_("matters"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    rate = models.FloatField(_("matters per 1,000 residents"), null=True, blank=True)
    z = models.FloatField(_("Gi* z-score"))
    p = models.FloatField(_("p-value (two-sided)"))
    p_sim = models.FloatField(_("permutation p-value"), null=True, blank=True)
    gi_bin = models.SmallIntegerField(_("Gi bin"), default=0)
    trend = models.CharField(_("trend"), max_length=12, choices=Trend.choices, blank=True)
    trend_tau = models.FloatField(_("Mann-Kendall tau"), null=True, blank=True)
    streak = models.PositiveSmallIntegerField(
        _("consecutive hot periods"),
        default=0,
        # xgettext:no-python-format
        help_text=_("Periods in a row, up to the last, hot at 95% or more."),
    )
    streak_bin = models.SmallIntegerField(_("lowest bin of the streak"), default=0)
    top_category = models.CharField(_("main category"), max_length=50, blank=True)
    top_share = models.FloatField(_("share of the main category"), null=True, blank=True)

    class Meta:
        verbose_name = _("hot-spot unit")
        verbose_name_plural = _("hot-spot units")
        ordering = ["run", "-z"]
        indexes = [models.Index(fields=["run", "gi_bin"], name="hotspot_cell_bin_idx")]

    def __str__(self) -> str:
        return f"{self.key} z={self.z:.2f}"


class StoredBriefing(models.Model):
    """A briefing made on schedule (or by hand), kept as files: one per area and period.

    The files live under the briefings folder (analytics.scheduled.briefings_root); the paths
    here are relative to it and built from the area code and period label only.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="stored_briefings"
    )
    kind = models.CharField(_("period kind"), max_length=8, choices=BriefingKind.choices)
    period_label = models.CharField(_("period"), max_length=10)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("First day after the period."))
    html_path = models.CharField(_("HTML file"), max_length=200)
    pdf_path = models.CharField(_("PDF file"), max_length=200)
    html_size = models.PositiveIntegerField(_("HTML size (bytes)"))
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"))
    duration_s = models.FloatField(_("generation time (s)"))
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored briefing")
        verbose_name_plural = _("stored briefings")
        ordering = ["-period_start", "kind", "area__code"]
        constraints = [
            # Two workers (or a retry) can never store the same briefing twice.
            models.UniqueConstraint(fields=["area", "period_label"], name="one_briefing_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.period_label}"


# The service circle's model lives with its code (analytics/coverage/); imported here so Django
# registers it with the app.
from analytics.coverage.models import ServicePoint  # noqa: E402
from analytics.forecasting.records import OutlookCell, StoredOutlook  # noqa: E402

__all__ = [
    "HotspotCell",
    "HotspotRun",
    "OutlookCell",
    "ServicePoint",
    "StoredBriefing",
    "StoredOutlook",
]
