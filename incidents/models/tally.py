"""Handled matters counted per grid cell, unit, kind and state (kept by database triggers)."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from gridmap.models import Area
from incidents.choices import IncidentKind, State
from incidents.models.catalog import HandlingUnit


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
