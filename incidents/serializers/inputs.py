"""What the incidents API reads: GeoJSON features and parameters (types only).

What a value means is checked by the services, which report every problem of one request at once.
"""

from __future__ import annotations

from rest_framework import serializers

from gridmap.api import NumberField
from gridmap.coords import InputCRS
from incidents.choices import PartyRole, Satisfaction, Source, Tier
from incidents.models import Category, HandlingUnit
from incidents.services import MAX_PARTIES


class PartyInputSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    role = serializers.CharField(
        default=PartyRole.APPLICANT, help_text=f"one of {', '.join(PartyRole.values)}"
    )


class IncidentPropertiesInputSerializer(serializers.Serializer):
    """The ``properties`` of a feature sent to POST /api/incidents/ (types only, see services)."""

    uid = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="a UUID made by the client: a retry with the same uid returns the first record",
    )
    category = serializers.CharField(allow_blank=True, help_text="category code (GET categories)")
    kind = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="optional; must match the category"
    )
    tier = serializers.CharField(allow_blank=True, help_text=f"one of {', '.join(Tier.values)}")
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    address = serializers.CharField(required=False, allow_blank=True, default="")
    accuracy_m = NumberField(
        required=False, allow_null=True, default=None, help_text="GPS accuracy in metres"
    )
    source = serializers.ChoiceField(choices=Source.choices, default=Source.API)
    crs = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="wgs84 (default), gcj02 or bd09; the query parameter crs does the same",
    )
    multi_department = serializers.BooleanField(default=False)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, default=None)
    located_at = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="ISO 8601: when the phone took the GPS fix (its clock)",
    )
    reported_at = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="ISO 8601: when the reporter pressed send, e.g. offline (the phone's clock)",
    )
    parties = PartyInputSerializer(
        many=True, required=False, default=list, max_length=MAX_PARTIES, help_text="at most 5"
    )


class PointGeometryInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point", "MultiPoint"])
    coordinates = serializers.JSONField(
        help_text="[lon, lat] for a Point, [[lon, lat], …] for a MultiPoint (at most 20)"
    )


class IncidentFeatureInputSerializer(serializers.Serializer):
    """POST /api/incidents/ as JSON: a GeoJSON Feature."""

    type = serializers.ChoiceField(choices=["Feature"])
    geometry = PointGeometryInputSerializer()
    properties = IncidentPropertiesInputSerializer()


class IncidentMultipartInputSerializer(serializers.Serializer):
    """POST /api/incidents/ as multipart/form-data: the feature as text, and photos."""

    feature = serializers.CharField(help_text="the GeoJSON Feature as JSON text")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="up to 6 JPEG, PNG or WebP"
    )


class ActionInputSerializer(serializers.Serializer):
    """Parameters of the workflow actions; each action takes only its own (see docs/api.md)."""

    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    tier = serializers.CharField(required=False, help_text="assess")
    multi_department = serializers.BooleanField(required=False, help_text="assess")
    override_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=HandlingUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text="route: handling unit code, instead of the rule's center",
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, help_text="route")
    outcome = serializers.CharField(required=False, allow_blank=True, help_text="resolve, fail")
    to_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=HandlingUnit.objects.all(),
        required=False,
        help_text="transfer: handling unit code",
    )
    report_back_by = serializers.DateTimeField(
        required=False, allow_null=True, help_text="transfer"
    )
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, help_text="follow_up"
    )


class DuplicateQuerySerializer(serializers.Serializer):
    """Query of GET /api/incidents/duplicates (types only; the point is checked by gridmap)."""

    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(active=True)
    )
    lon = serializers.CharField()
    lat = serializers.CharField()
    crs = serializers.ChoiceField(choices=InputCRS.choices, required=False, default="wgs84")
