"""Stored early warnings: one outlook per area and month, its flagged cells, its measured skill.

Fitting takes seconds, so no page fits on request: ``manage.py forecast --store`` and the monthly
job (analytics.tasks.monthly_outlooks) store the outlook here, and the map layer, the briefing
and the notifications read it.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridmap.models import Area


class StoredOutlook(models.Model):
    """The flagged cells of one area for one month, with the model's backtest at 5 % area."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="stored_outlooks"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month forecast."))
    model = models.CharField(_("model"), max_length=20)
    share = models.FloatField(_("share of the area asked for"))
    flagged_share = models.FloatField(_("share of the area flagged"))
    cell_count = models.PositiveIntegerField(_("cells forecast"))
    history_matters = models.PositiveIntegerField(_("matters learnt from"))
    # The backtest of the model and of the baselines over the months before (NULL: not finite).
    backtest_periods = models.PositiveSmallIntegerField(_("months backtested"))
    backtest_first = models.DateField(_("first month backtested"))
    backtest_last = models.DateField(_("last month backtested"))
    pai = models.FloatField(_("PAI at 5% area"), null=True)
    pai_low = models.FloatField(_("PAI interval, low"), null=True)
    pai_high = models.FloatField(_("PAI interval, high"), null=True)
    baseline = models.CharField(_("best baseline"), max_length=20)
    baseline_pai = models.FloatField(_("best baseline's PAI at 5% area"), null=True)
    baseline_pai_low = models.FloatField(_("best baseline's PAI interval, low"), null=True)
    baseline_pai_high = models.FloatField(_("best baseline's PAI interval, high"), null=True)
    verdict = models.CharField(_("verdict"), max_length=60)
    seconds = models.FloatField(_("fit, forecast and backtest time (s)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored outlook")
        verbose_name_plural = _("stored outlooks")
        ordering = ["-month", "area__code"]
        constraints = [
            # A second run, a retry or two workers at once store (and announce) nothing twice.
            models.UniqueConstraint(fields=["area", "month"], name="one_outlook_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.month:%Y-%m}"

    @property
    def has_skill(self) -> bool:
        """Whether the PAI interval at 5 % lies above 1 (the verdict is not "no skill")."""
        return self.pai_low is not None and self.pai_low > 1


class OutlookCell(models.Model):
    """A flagged grid cell of a stored outlook: rank, score and the lags behind it."""

    outlook = models.ForeignKey(
        StoredOutlook, verbose_name=_("outlook"), on_delete=models.CASCADE, related_name="cells"
    )
    rank = models.PositiveIntegerField(_("rank"), help_text=_("1 = flagged first."))
    grid = models.ForeignKey(
        Area, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    expected = models.FloatField(_("expected matters"))
    score = models.FloatField(
        _("expected matters per km²"), help_text=_("What cells are ranked by.")
    )
    probability = models.FloatField(_("probability of at least one matter"))
    groups = models.JSONField(
        _("groups expected most"), default=list, help_text=_("[[group, expected, P(≥1)], …]")
    )
    lags = models.JSONField(_("lags (matters)"), default=dict)
    drivers = models.JSONField(
        _("drivers"), default=list, help_text=_("Lag names, strongest first.")
    )

    class Meta:
        verbose_name = _("flagged cell")
        verbose_name_plural = _("flagged cells")
        ordering = ["outlook", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["outlook", "rank"], name="one_cell_per_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.grid_id}"
