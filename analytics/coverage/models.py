"""Service points: where a resident meets mediation (each a source of the service circle)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from analytics.choices import ServicePointKind
from gridmap.models import WGS84, Area
from incidents.models import HandlingUnit
from volunteers.models import Responder


class ServicePoint(models.Model):
    """A mediation room, stationed window or mediator's home base residents can go to."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ServicePointKind.choices)
    point = models.PointField(
        _("location"), srid=WGS84, help_text=_("Where the service point is, EPSG:4326.")
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="service_points",
        help_text=_("The grid cell (or area) the point lies in: scopes who sees it."),
    )
    handling_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("handling unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_points",
        help_text=_("The center whose mediation room or window this is, if any."),
    )
    responder = models.ForeignKey(
        Responder,
        verbose_name=_("responder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_points",
        help_text=_("The mediator based here, if any."),
    )
    active = models.BooleanField(pgettext_lazy("in use", "active"), default=True)
    synthetic = models.BooleanField(
        _("synthetic (demo)"),
        default=False,
        help_text=_("Derived for the demo county, not surveyed."),
    )
    source = models.CharField(_("source file"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["area__code", "name"]
        indexes = [models.Index(fields=["active", "kind"], name="service_point_kind_idx")]

    def __str__(self) -> str:
        return self.name
