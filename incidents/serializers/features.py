"""Matters as lists and maps show them: GeoJSON features, and references to other matters.

Output features put the matter's first point (``location``) in ``geometry``; every point of a
matter reported at several places is in the ``locations`` property (a GeoJSON MultiPoint).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from incidents.models import Incident

LIST_FIELDS = [
    "id",
    "number",
    "uid",
    "kind",
    "kind_label",
    "category",
    "category_label",
    "tier",
    "tier_label",
    "title",
    "state",
    "state_label",
    "overdue",
    "supervised",
    "owner_leader",
    "grid_code",
    "grid_name",
    "village_name",
    "township_name",
    "handling_unit_code",
    "handling_unit_name",
    "received_at",
    "due_at",
    "report_back_due_at",
    "outside_grid",
    # Matters from a county's past ledgers (onboarding): placed by place name at an area's label
    # point where the ledger had no coordinates; clients draw those differently.
    "imported",
    "location_approximate",
]


def _name(user: object | None) -> str | None:
    return str(user) if user is not None else None


class IncidentFeatureSerializer(GeoFeatureModelSerializer):
    """One matter as a list shows it; ``geometry`` is its first reported point."""

    number = serializers.CharField(read_only=True, help_text="as staff quote it: date-id")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_label = serializers.CharField(source="category.label", read_only=True)
    tier_label = serializers.CharField(source="get_tier_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    owner_leader = serializers.SerializerMethodField(help_text="the owning leader's name, or null")
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    handling_unit_code = serializers.CharField(source="handling_unit.code", read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True)

    class Meta:
        model = Incident
        geo_field = "location"
        id_field = False
        fields = LIST_FIELDS

    def get_owner_leader(self, incident: Incident) -> str | None:
        return _name(incident.owner_leader)


class IncidentRefSerializer(serializers.ModelSerializer):
    """Another matter, referred to from this one."""

    number = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "number", "title", "state", "state_label"]
