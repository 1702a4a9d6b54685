"""The road network on pgRouting: versions, nodes, edges and the speed table.

A network is imported as one version (``RoadNetwork``); the active version is the one routing
uses, so a re-import builds the new graph beside the old and switches in one transaction. Edges
carry their travel time in seconds for each mode (``walk_s``, ``bike_s``, ``car_s``; -1 where the
mode may not use the edge), computed from ``RoadSpeed`` when the network is built and again when a
speed is changed, so routing queries read plain columns.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from roads.choices import RoadClass, TravelMode

WGS84 = 4326


class RoadNetworkQuerySet(models.QuerySet):
    def active(self) -> RoadNetwork | None:
        """The version routing uses, or None where no roads are loaded."""
        return self.filter(active=True).first()


class RoadNetwork(models.Model):
    """One imported version of the county's roads."""

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source file"), max_length=500, blank=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Made up for the demo county, not surveyed.")
    )
    active = models.BooleanField(_("in use"), default=False)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.CharField(_("imported by"), max_length=150, blank=True)
    edge_count = models.PositiveIntegerField(_("edges"), default=0)
    node_count = models.PositiveIntegerField(_("nodes"), default=0)
    component_count = models.PositiveIntegerField(_("connected components"), default=0)
    # What the import found: disconnected components, dropped features, classes, lengths.
    report = models.JSONField(_("import report"), default=dict, blank=True)
    # Raised whenever the travel times are recomputed (a speed changed): what routing keeps
    # between requests (roads/snapping.py's places) is keyed by it.
    costs_version = models.PositiveIntegerField(_("travel times version"), default=0)
    # The fastest speed (km/h) of each mode on any edge of this network, from the travel times:
    # no road ETA beats the straight line at this speed (roads.travel.best_travel_times).
    fastest_kmh = models.JSONField(_("fastest speed per mode (km/h)"), default=dict, blank=True)

    objects = RoadNetworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("road network")
        verbose_name_plural = _("road networks")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="roads_one_active_network"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoadNode(models.Model):
    """A junction or dead end of a network: where edges meet after noding."""

    id = models.BigAutoField(primary_key=True)
    network = models.ForeignKey(RoadNetwork, on_delete=models.CASCADE, related_name="nodes")
    geom = models.PointField(srid=WGS84)
    # Connected component (pgr_connectedComponents, ignoring one-way): the smallest node id of it.
    component = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("road node")
        verbose_name_plural = _("road nodes")


class RoadEdge(models.Model):
    """A stretch of road between two nodes, with its travel time for each mode."""

    id = models.BigAutoField(primary_key=True)
    network = models.ForeignKey(RoadNetwork, on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(RoadNode, on_delete=models.CASCADE, related_name="+")
    road_class = models.CharField(_("road class"), max_length=12, choices=RoadClass.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Vehicles only from source to target; pedestrians walk a one-way street both ways.
    oneway = models.BooleanField(_("one-way"), default=False)
    length_m = models.FloatField(_("length (m)"))
    walk_s = models.FloatField(default=-1)
    bike_s = models.FloatField(default=-1)
    car_s = models.FloatField(default=-1)
    geom = models.LineStringField(srid=WGS84)

    class Meta:
        verbose_name = _("road edge")
        verbose_name_plural = _("road edges")


class RoadSpeed(models.Model):
    """How fast a mode travels on a road class (km/h); no row or no speed: not allowed."""

    road_class = models.CharField(_("road class"), max_length=12, choices=RoadClass.choices)
    mode = models.CharField(_("travel mode"), max_length=5, choices=TravelMode.choices)
    kmh = models.FloatField(_("speed (km/h)"), null=True, blank=True)

    class Meta:
        verbose_name = _("road speed")
        verbose_name_plural = _("road speeds")
        ordering = ["road_class", "mode"]
        constraints = [
            models.UniqueConstraint(fields=["road_class", "mode"], name="roads_one_speed"),
            models.CheckConstraint(
                condition=Q(kmh__isnull=True) | Q(kmh__gt=0), name="roads_speed_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_road_class_display()} · {self.get_mode_display()}"
