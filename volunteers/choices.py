"""Names and fixed lists of dispatch: responder kinds, statuses, travel modes, assignment states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Travel modes belong to the road network (roads/choices.py); dispatch imports them from here.
from roads.choices import TravelMode as TravelMode


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
