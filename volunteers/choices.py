"""Names and fixed lists of dispatch: responder kinds, statuses, travel modes, assignment states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponderKind(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    COUNSELLOR = "counsellor", _("Counsellor")
    LAWYER = "lawyer", _("Lawyer")
    SQUAD = "squad", _("Volunteer squad")
    COMMITTEE = "committee", _("Industry mediation committee")


class ResponderStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    OFF_DUTY = "off_duty", _("Off duty")


class TravelMode(models.TextChoices):
    WALK = "walk", _("On foot")
    BIKE = "bike", _("Bicycle or e-bike")
    CAR = "car", _("Car")


# Straight-line speeds for the ETA until road distances are loaded (km/h, county roads).
TRAVEL_SPEED_KMH: dict[str, float] = {
    TravelMode.WALK: 4.5,
    TravelMode.BIKE: 12.0,
    TravelMode.CAR: 35.0,
}


class AssignmentState(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Offer expired")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Assignments that hold one unit of the responder's capacity.
LIVE_ASSIGNMENT_STATES = (
    AssignmentState.OFFERED,
    AssignmentState.ACCEPTED,
    AssignmentState.EN_ROUTE,
    AssignmentState.ON_SCENE,
)
