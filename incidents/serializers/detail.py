"""One matter in full: parties (masked or not), photos, trail, actions, possible duplicates."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.choices import Action, DispatchStep, EventKind, PartyRole, State
from incidents.models import Incident, IncidentEvent, Photo
from incidents.privacy import may_see_parties, party_view, record_party_view
from incidents.queries import DuplicateLinks, duplicate_links
from incidents.serializers.features import (
    LIST_FIELDS,
    IncidentFeatureSerializer,
    IncidentRefSerializer,
    _name,
)
from incidents.services import allowed_actions


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
