"""Serializers of the dispatch API: candidates, assignments, and what clients send.

Out: a unit's phone is in full or masked as ``volunteers.access.Viewer`` decides; an assignment
lists the actions this user may take on it now. Positions are ``[lon, lat]`` in WGS84.
In: types only; the services decide what a value means and say why they refuse.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridmap.api import NumberField
from gridmap.coords import InputCRS
from incidents.models import Incident
from roads.routes import Route
from roads.travel import EtaSource, Fallback
from volunteers.access import Viewer, visible_responders
from volunteers.choices import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentState,
    ResponderKind,
    ResponderStatus,
    TravelMode,
)
from volunteers.models import Assignment, Responder
from volunteers.queries import MAX_CANDIDATES, Candidate
from volunteers.services import allowed_assignment_actions

# --- out -----------------------------------------------------------------------------------------

LON_LAT = serializers.ListField(
    child=serializers.FloatField(),
    min_length=2,
    max_length=2,
    allow_null=True,
    help_text="[lon, lat] WGS84, or null",
)


def lon_lat(point: object) -> list[float] | None:
    """A point as [lon, lat], or None."""
    return [point.x, point.y] if point is not None else None  # type: ignore[attr-defined]


def _viewer(context: dict) -> Viewer:
    """The request's Viewer, read once per response and kept in the serializer context."""
    if "viewer" not in context:
        context["viewer"] = Viewer.of(context["request"].user)
    return context["viewer"]


class SkillSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label", help_text="in the active language")


class HomeAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ResponderSummarySerializer(serializers.ModelSerializer):
    """A unit as an assignment shows it; ``phone`` is masked unless this user may reach it."""

    name = serializers.CharField(source="display_name", read_only=True)
    # Plain strings, as in the incidents API: typed as enums they would collide with the
    # matters' "kind" and "state" in the schema.
    kind = serializers.CharField(read_only=True, help_text=f"one of {', '.join(ResponderKind)}")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text=f"one of {', '.join(ResponderStatus)}")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    travel_mode = serializers.CharField(read_only=True, help_text=f"one of {', '.join(TravelMode)}")
    travel_mode_label = serializers.CharField(source="get_travel_mode_display", read_only=True)
    home_area = HomeAreaSerializer(read_only=True)
    position = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField(help_text="no position in DISPATCH_STALE_MINUTES")
    phone = serializers.SerializerMethodField(help_text="in full for members and its dispatchers")
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Responder
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "load",
            "capacity",
            "travel_mode",
            "travel_mode_label",
            "home_area",
            "position",
            "position_at",
            "stale",
            "phone",
            "phone_masked",
        ]

    def _dispatching(self, responder: Responder) -> bool:
        return responder.pk in self.context.get("dispatching_units", ())

    @extend_schema_field(LON_LAT)
    def get_position(self, responder: Responder) -> list[float] | None:
        return lon_lat(responder.position)

    def get_stale(self, responder: Responder) -> bool:
        return responder.is_stale()

    def get_phone(self, responder: Responder) -> str:
        return _viewer(self.context).phone(responder, dispatching=self._dispatching(responder))

    def get_phone_masked(self, responder: Responder) -> bool:
        viewer = _viewer(self.context)
        return not viewer.sees_phone(responder, dispatching=self._dispatching(responder))


class CandidateSerializer(serializers.Serializer):
    """A unit that may be sent to the matter, where it ranks and why (a queries.Candidate)."""

    id = serializers.IntegerField(source="responder.pk")
    name = serializers.CharField(source="responder.display_name")
    kind = serializers.CharField(source="responder.kind")
    kind_label = serializers.CharField(source="responder.get_kind_display")
    status = serializers.CharField(source="responder.status")
    status_label = serializers.CharField(source="responder.get_status_display")
    load = serializers.IntegerField(source="responder.load")
    capacity = serializers.IntegerField(source="responder.capacity")
    skills = SkillSerializer(many=True)
    home_area = HomeAreaSerializer(source="responder.home_area")
    position = serializers.SerializerMethodField()
    position_at = serializers.DateTimeField(source="responder.position_at")
    distance_m = serializers.FloatField(help_text="straight line, metres on the geography")
    eta_minutes = serializers.FloatField(
        help_text="minutes to the matter: by road for the unit's travel mode where a road "
        "network is loaded and the unit can be routed, else the straight line at the mode's "
        "straight-line speed (eta_source says which)"
    )
    eta_source = serializers.ChoiceField(
        choices=EtaSource.choices, help_text="road: network travel time; straight_line: estimate"
    )
    eta_source_label = serializers.CharField()
    eta_min = serializers.FloatField(help_text="the same as eta_minutes (its earlier name)")
    travel_mode = serializers.CharField(source="responder.travel_mode")
    travel_mode_label = serializers.CharField(source="responder.get_travel_mode_display")
    in_jurisdiction = serializers.BooleanField(
        help_text="its home area covers the matter; otherwise assigning needs override_reason"
    )
    score_m = serializers.FloatField(
        help_text="the rank without roads: distance less the own-area preference in metres"
    )
    score_minutes = serializers.FloatField(
        help_text="the rank with roads: eta_minutes less the own-area preference in minutes"
    )
    reasons = serializers.ListField(child=serializers.CharField())
    phone = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()

    @extend_schema_field(LON_LAT)
    def get_position(self, candidate: Candidate) -> list[float] | None:
        return lon_lat(candidate.responder.position)

    def get_phone(self, candidate: Candidate) -> str:
        return _viewer(self.context).phone(candidate.responder)

    def get_phone_masked(self, candidate: Candidate) -> bool:
        return not _viewer(self.context).sees_phone(candidate.responder)


class RouteGeometrySerializer(serializers.Serializer):
    type = serializers.CharField(help_text="LineString")
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="[lon, lat] (WGS84) from the unit to the matter",
    )


class RoutePropertiesSerializer(serializers.Serializer):
    responder = serializers.IntegerField()
    travel_mode = serializers.CharField()
    eta_minutes = serializers.FloatField()
    eta_source = serializers.ChoiceField(choices=EtaSource.choices)
    eta_source_label = serializers.CharField()
    fallback = serializers.CharField(
        help_text="why the straight line: no_network, no_road, not_connected; empty by road"
    )
    fallback_label = serializers.CharField()
    distance_m = serializers.FloatField(help_text="straight line")
    road_m = serializers.FloatField(help_text="metres on roads (0 for the straight line)")
    off_road_m = serializers.FloatField(help_text="metres walked to and from the roads")


class RouteSerializer(serializers.Serializer):
    """A unit's way to the matter as a GeoJSON Feature (the console draws it on its map)."""

    type = serializers.CharField(help_text="Feature")
    geometry = RouteGeometrySerializer()
    properties = RoutePropertiesSerializer()


def route_feature(unit: Responder, found: Route) -> dict:
    """``found`` as RouteSerializer describes it."""
    eta = found.eta
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(xy) for xy in found.coordinates]},
        "properties": {
            "responder": unit.pk,
            "travel_mode": unit.travel_mode,
            "eta_minutes": eta.minutes,
            "eta_source": str(eta.source),
            "eta_source_label": str(EtaSource(eta.source).label),
            "fallback": str(eta.fallback),
            "fallback_label": str(Fallback(eta.fallback).label) if eta.fallback else "",
            "distance_m": eta.distance_m,
            "road_m": found.road_m,
            "off_road_m": eta.off_road_m,
        },
    }


_DATETIME = serializers.DateTimeField()


def candidate_rows(found: list[Candidate], viewer: Viewer) -> list[dict]:
    """What ``CandidateSerializer`` makes of ``found``, built by hand: DRF took ~2.7 ms for five
    candidates, more than finding them (bench/dispatch.py). The serializer stays the schema; a
    test holds the two equal, so a field added to one must be added to the other."""
    return [_candidate_row(candidate, viewer) for candidate in found]


def _candidate_row(candidate: Candidate, viewer: Viewer) -> dict:
    unit = candidate.responder
    return {
        "id": unit.pk,
        "name": unit.display_name,
        "kind": unit.kind,
        "kind_label": str(unit.get_kind_display()),
        "status": unit.status,
        "status_label": str(unit.get_status_display()),
        "load": unit.load,
        "capacity": unit.capacity,
        "skills": [{"code": skill.code, "name": str(skill.label)} for skill in candidate.skills],
        "home_area": {"code": unit.home_area.code, "name": unit.home_area.name},
        "position": lon_lat(unit.position),
        "position_at": _DATETIME.to_representation(unit.position_at),
        "distance_m": float(candidate.distance_m),
        "eta_minutes": float(candidate.eta_minutes),
        "eta_source": str(candidate.eta_source),
        "eta_source_label": str(EtaSource(candidate.eta_source).label),
        "eta_min": float(candidate.eta_minutes),
        "travel_mode": unit.travel_mode,
        "travel_mode_label": str(unit.get_travel_mode_display()),
        "in_jurisdiction": candidate.in_jurisdiction,
        "score_m": float(candidate.score_m),
        "score_minutes": float(candidate.score_minutes),
        "reasons": [str(reason) for reason in candidate.reasons],
        "phone": viewer.phone(unit),
        "phone_masked": not viewer.sees_phone(unit),
    }


class AssignmentIncidentSerializer(serializers.ModelSerializer):
    """The matter of an assignment, as a responder's phone needs it."""

    number = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="dispute, hazard, petition or request")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_label = serializers.CharField(source="category.label", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    location = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "number",
            "title",
            "kind",
            "kind_label",
            "category",
            "category_label",
            "state",
            "state_label",
            "address",
            "location",
        ]

    @extend_schema_field(LON_LAT)
    def get_location(self, incident: Incident) -> list[float] | None:
        return lon_lat(incident.location)


class AssignmentSerializer(serializers.ModelSerializer):
    """One assignment: its state and times, the matter, the unit, what this user may do now.

    Context: ``request``; optionally ``dispatching_units`` (ids of units whose phone the user
    needs in full because they dispatch the matter).
    """

    state = serializers.CharField(read_only=True, help_text=f"one of {', '.join(AssignmentState)}")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    live = serializers.SerializerMethodField(help_text="offered, accepted, en route or on scene")
    incident = AssignmentIncidentSerializer(read_only=True)
    responder = ResponderSummarySerializer(read_only=True)
    assigned_by = serializers.SerializerMethodField(help_text="display name, or null")
    allowed_actions = serializers.SerializerMethodField(
        help_text="what this user may do now (POST /api/assignments/{id}/{action}/)"
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "state",
            "state_label",
            "live",
            "incident",
            "responder",
            "assigned_by",
            "distance_m",
            "override_reason",
            "reoffer_of",
            "offered_at",
            "accepted_at",
            "en_route_at",
            "on_scene_at",
            "finished_at",
            "decline_reason",
            "outcome_note",
            "allowed_actions",
        ]

    def get_live(self, assignment: Assignment) -> bool:
        return assignment.state in LIVE_ASSIGNMENT_STATES

    def to_representation(self, assignment: Assignment) -> dict:
        data = super().to_representation(assignment)
        if not self._shows_position(assignment):
            # The unit's position now says nothing about a finished assignment, and only those
            # who may see units on the map (or act for this one) see where it is.
            data["responder"]["position"] = None
            data["responder"]["position_at"] = None
        return data

    def _shows_position(self, assignment: Assignment) -> bool:
        if assignment.state not in LIVE_ASSIGNMENT_STATES:
            return False
        unit = assignment.responder
        if _viewer(self.context).is_member(unit):
            return True
        seen = self.context.setdefault("units_on_map", {})
        if unit.pk not in seen:
            user = self.context["request"].user
            seen[unit.pk] = visible_responders(user).filter(pk=unit.pk).exists()
        return seen[unit.pk]

    def get_assigned_by(self, assignment: Assignment) -> str | None:
        return str(assignment.assigned_by) if assignment.assigned_by is not None else None

    def get_allowed_actions(self, assignment: Assignment) -> list[str]:
        user = self.context["request"].user
        return [str(action) for action in allowed_assignment_actions(user, assignment)]


class PositionSerializer(serializers.Serializer):
    """A unit's last known position after a post."""

    position = serializers.SerializerMethodField()
    position_at = serializers.DateTimeField()
    accuracy_m = serializers.FloatField(source="position_accuracy_m", allow_null=True)

    @extend_schema_field(LON_LAT)
    def get_position(self, responder: Responder) -> list[float] | None:
        return lon_lat(responder.position)


# --- in ------------------------------------------------------------------------------------------


class CandidatesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False,
        default=5,
        min_value=1,
        max_value=MAX_CANDIDATES,
        help_text=f"1 to {MAX_CANDIDATES} (default 5)",
    )


class AssignInputSerializer(serializers.Serializer):
    """POST /api/incidents/{id}/assign."""

    responder = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="a unit's id; null or missing: the nearest available unit serving the matter",
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="required for a unit of another jurisdiction",
    )


class AssignmentActionInputSerializer(serializers.Serializer):
    """POST /api/assignments/{id}/{action}/."""

    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="decline: the reason (optional); done: the outcome note (required)",
    )
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="when the step happened by the phone's clock (a step queued offline); kept "
        "between the previous step and the server's time. The trail keeps both times.",
    )
    uid = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="made by the client: a retry with the same uid does not take the step twice",
    )


class PointInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(child=NumberField(), min_length=2, max_length=3)


class PositionInputSerializer(serializers.Serializer):
    """POST /api/responders/{id}/position: lon and lat, or a GeoJSON Point as ``position``."""

    lon = serializers.JSONField(required=False, help_text="longitude (number)")
    lat = serializers.JSONField(required=False, help_text="latitude (number)")
    position = PointInputSerializer(
        required=False, help_text="instead of lon and lat: a GeoJSON Point"
    )
    crs = serializers.ChoiceField(
        choices=InputCRS.choices,
        required=False,
        default=InputCRS.WGS84,
        help_text="the datum of the phone's numbers: wgs84 (GPS), gcj02 (Amap, Tencent, "
        "WeChat) or bd09 (Baidu); converted to WGS84",
    )
    accuracy = NumberField(
        required=False, allow_null=True, default=None, help_text="metres, as the phone reports"
    )
