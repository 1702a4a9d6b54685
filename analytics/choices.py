"""Fixed lists of the analytics app: hot-spot units, weights, bins and trend classes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    """What the study area is cut into for Gi*."""

    GRID = "grid", _("Grid cells")
    H3_8 = "h3_8", _("H3 hexagons, resolution 8")
    H3_9 = "h3_9", _("H3 hexagons, resolution 9")


H3_RESOLUTION = {Unit.H3_8: 8, Unit.H3_9: 9}


class Weights(models.TextChoices):
    """Neighbours of a unit: contiguity for grid cells, rings for hexagons."""

    QUEEN = "queen", _("Queen contiguity (shared edge or corner)")
    ROOK = "rook", _("Rook contiguity (shared edge)")
    RING = "ring", _("H3 ring (grid_disk k)")


class Measure(models.TextChoices):
    COUNT = "count", _("Matters")
    RATE = "rate", _("Matters per 1,000 residents")


class Trend(models.TextChoices):
    """Emerging hot-spot classes over consecutive periods (Esri Emerging Hot Spot style)."""

    NONE = "", _("No pattern")
    NEW = "new", _("New hot spot")
    INTENSIFYING = "intensifying", _("Intensifying hot spot")
    PERSISTENT = "persistent", _("Persistent hot spot")
    DIMINISHING = "diminishing", _("Diminishing hot spot")
    SPORADIC = "sporadic", _("Sporadic hot spot")


GI_BIN_LABELS = {
    # xgettext:no-python-format
    3: _("Hot spot, 99% confidence"),
    # xgettext:no-python-format
    2: _("Hot spot, 95% confidence"),
    # xgettext:no-python-format
    1: _("Hot spot, 90% confidence"),
    0: _("Not significant"),
    # xgettext:no-python-format
    -1: _("Cold spot, 90% confidence"),
    # xgettext:no-python-format
    -2: _("Cold spot, 95% confidence"),
    # xgettext:no-python-format
    -3: _("Cold spot, 99% confidence"),
}


class BriefingKind(models.TextChoices):
    """The periods briefings are made for on schedule: 月统计 and 季通报."""

    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class ServicePointKind(models.TextChoices):
    """Where residents meet mediation: the places the 10-minute service circle is measured from."""

    MEDIATION_ROOM = "room", _("Center mediation room")
    WINDOW = "window", _("Stationed window")
    MEDIATOR_BASE = "mediator", _("Mediator home base")
    OTHER = "other", _("Other service point")
