"""Serializers of the incidents API: GeoJSON features out, GeoJSON features and parameters in.

Output features put the matter's first point (``location``) in ``geometry``; every point of a
matter reported at several places is in the ``locations`` property (a GeoJSON MultiPoint).
The input serializers check types only: what a value means is checked by the services, which
report every problem of one request at once.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gridmap.api import NumberField
from gridmap.coords import InputCRS
from incidents.choices import (
    Action,
    DispatchStep,
    EventKind,
    PartyRole,
    Satisfaction,
    Source,
    State,
    Tier,
)
from incidents.models import Category, HandlingUnit, Incident, IncidentEvent, Photo
from incidents.privacy import may_see_parties, party_view, record_party_view
from incidents.queries import DuplicateLinks, duplicate_links
from incidents.services import MAX_PARTIES, allowed_actions

# --- out -----------------------------------------------------------------------------------------

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


class PartySerializer(serializers.Serializer):
    """A party as this user may see it (``masked`` when the user's role does not need the data)."""

    # Plain strings, here and in input: another "role" enum (users' roles) has the schema's name.
    role = serializers.CharField(help_text=f"one of {', '.join(PartyRole.values)}")
    role_label = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()
    id_number = serializers.CharField()
    masked = serializers.BooleanField()


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="served after a permission check")

    class Meta:
        model = Photo
        fields = ["id", "url", "width", "height", "uploaded_at"]

    def get_url(self, photo: Photo) -> str:
        return reverse("incidents:photo", args=[photo.pk])


def _label(choices: type, value: str) -> str:
    return str(choices(value).label) if value in choices.values else ""  # type: ignore[attr-defined]


class EventSerializer(serializers.ModelSerializer):
    """One entry of the trail."""

    actor = serializers.SerializerMethodField(help_text="display name; null for the system")
    # Plain strings: typed as enums they would make two schema names for one set of states.
    from_state = serializers.CharField(read_only=True, help_text="a state, or empty")
    to_state = serializers.CharField(read_only=True, help_text="a state, or empty")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    action_label = serializers.SerializerMethodField()
    from_state_label = serializers.SerializerMethodField()
    to_state_label = serializers.SerializerMethodField()

    class Meta:
        model = IncidentEvent
        fields = [
            "at",
            "received_at",
            "actor",
            "kind",
            "kind_label",
            "action",
            "action_label",
            "from_state",
            "from_state_label",
            "to_state",
            "to_state_label",
            "note",
            "data",
        ]

    def get_actor(self, event: IncidentEvent) -> str | None:
        return _name(event.actor)

    def get_action_label(self, event: IncidentEvent) -> str:
        if event.kind == EventKind.ASSIGNMENT:
            return _label(DispatchStep, event.action)
        return _label(Action, event.action)

    def get_from_state_label(self, event: IncidentEvent) -> str:
        return _label(State, event.from_state)

    def get_to_state_label(self, event: IncidentEvent) -> str:
        return _label(State, event.to_state)


class IncidentDetailSerializer(IncidentFeatureSerializer):
    """One matter in full: every point, text, parties (masked or not), photos, trail, actions.

    Needs ``request`` in its context: what is masked and which actions are offered depend on
    the user.
    """

    source_label = serializers.CharField(source="get_source_display", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    reporter = serializers.SerializerMethodField()
    handler = serializers.SerializerMethodField()
    parties = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="the actions this user may take now (POST …/actions/{action}/)"
    )
    duplicate_of = serializers.SerializerMethodField(help_text="null also when you cannot see it")
    duplicates = serializers.SerializerMethodField(help_text="those you can see")

    class Meta(IncidentFeatureSerializer.Meta):
        fields = [
            *LIST_FIELDS,
            "locations",
            "input_crs",
            "location_accuracy_m",
            "located_at",
            "reported_at",
            "outside_distance_m",
            "county_name",
            "description",
            "address",
            "source",
            "source_label",
            "reporter",
            "multi_department",
            "handler",
            "route_override_reason",
            "result",
            "outcome",
            "satisfaction",
            "follow_up_note",
            "handled_at",
            "followed_up_at",
            "closed_at",
            "escalated_at",
            "updated_at",
            "parties",
            "photos",
            "events",
            "allowed_actions",
            "duplicate_of",
            "duplicates",
        ]

    def get_reporter(self, incident: Incident) -> str | None:
        return _name(incident.reporter)

    def get_handler(self, incident: Incident) -> str | None:
        return _name(incident.handler)

    @extend_schema_field(PartySerializer(many=True))
    def get_parties(self, incident: Incident) -> list[dict[str, str]]:
        request = self.context["request"]
        unmasked = may_see_parties(request.user, incident)
        parties = [party_view(party, unmasked=unmasked) for party in incident.parties.all()]
        if unmasked:
            # Here, not in the views: every response carrying a matter's detail (GET and the
            # actions' answers) passes through this field once.
            record_party_view(request=request, incident=incident, count=len(parties))
        return parties

    def _links(self, incident: Incident) -> DuplicateLinks:
        """The duplicate links this user may see, read once per matter."""
        cache = self.context.setdefault("duplicate_links", {})
        if incident.pk not in cache:
            cache[incident.pk] = duplicate_links(self.context["request"].user, incident)
        return cache[incident.pk]

    @extend_schema_field(IncidentRefSerializer(allow_null=True))
    def get_duplicate_of(self, incident: Incident) -> dict | None:
        original = self._links(incident).duplicate_of
        return IncidentRefSerializer(original).data if original is not None else None

    @extend_schema_field(IncidentRefSerializer(many=True))
    def get_duplicates(self, incident: Incident) -> list[dict]:
        return IncidentRefSerializer(self._links(incident).duplicates, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Action.choices)))
    def get_allowed_actions(self, incident: Incident) -> list[str]:
        return [str(action) for action in allowed_actions(self.context["request"].user, incident)]


class DuplicateSerializer(serializers.Serializer):
    """A matter of the same category taken in nearby lately (a queries.DuplicateCandidate)."""

    id = serializers.IntegerField(source="incident.pk")
    number = serializers.CharField(source="incident.number")
    title = serializers.CharField(source="incident.title")
    state = serializers.ChoiceField(source="incident.state", choices=State.choices)
    state_label = serializers.CharField(source="incident.get_state_display")
    distance_m = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField(source="incident.received_at")

    def get_distance_m(self, candidate: object) -> float:
        return round(candidate.distance_m, 1)  # type: ignore[attr-defined]


class IncidentCreatedSerializer(IncidentDetailSerializer):
    """The detail feature, with whether this request created it and nearby possible duplicates.

    Needs ``created`` and ``duplicates`` in its context.
    """

    created = serializers.SerializerMethodField(
        help_text="false when the uid was already taken in by this user (a retry)"
    )
    possible_duplicates = serializers.SerializerMethodField(
        help_text="same category within 50 m in the last 7 days; link with duplicate_of"
    )

    class Meta(IncidentDetailSerializer.Meta):
        fields = [*IncidentDetailSerializer.Meta.fields, "created", "possible_duplicates"]

    def get_created(self, incident: Incident) -> bool:
        return bool(self.context["created"])

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_possible_duplicates(self, incident: Incident) -> list[dict]:
        return DuplicateSerializer(self.context["duplicates"], many=True).data


class CategorySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    name = serializers.CharField(source="label", read_only=True, help_text="in the active language")

    class Meta:
        model = Category
        fields = ["code", "kind", "kind_label", "name"]


class HandlingUnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = HandlingUnit
        fields = [
            "code",
            "name",
            "kind",
            "kind_label",
            "mode",
            "mode_label",
            "area_code",
            "area_name",
        ]


class ErrorSerializer(serializers.Serializer):
    """Every error of the incidents API."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="field → messages (400 only)",
    )


# --- in ------------------------------------------------------------------------------------------


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
