"""Names and fixed lists of the incidents app: kinds, tiers, states, sources, units."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentKind(models.TextChoices):
    DISPUTE = "dispute", _("Dispute")
    HAZARD = "hazard", _("Hazard")
    PETITION = "petition", _("Petition")
    REQUEST = "request", _("Request")


class Tier(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    LARGER = "larger", _("Larger")
    MAJOR = "major", _("Major or difficult")


# The center's handling limits: ordinary within 1 day, larger within 7, major/difficult within 30.
TIER_DEADLINE: dict[str, dt.timedelta] = {
    Tier.ORDINARY: dt.timedelta(days=1),
    Tier.LARGER: dt.timedelta(days=7),
    Tier.MAJOR: dt.timedelta(days=30),
}


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSESSED = "assessed", _("Assessed")
    ROUTED = "routed", _("Routed")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


# States in which the matter is still being handled: its deadline runs and it can be overdue.
OPEN_STATES = (State.RECEIVED, State.ASSESSED, State.ROUTED, State.IN_PROGRESS)
# States reached once handling produced a result (resolved or not).
HANDLED_STATES = (State.RESOLVED, State.UNRESOLVED, State.FOLLOWED_UP, State.CLOSED)


class Result(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")


class Source(models.TextChoices):
    FIELD = "field", _("Field (grid leader)")
    WINDOW = "window", _("Window")
    HOTLINE = "hotline", _("Hotline")
    API = "api", _("API")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class UnitKind(models.TextChoices):
    CENTER = "center", _("Comprehensive governance center")
    DEPARTMENT = "department", _("Department")


class DepartmentMode(models.TextChoices):
    """How a department handles what it is given (the county center's rules)."""

    ON_SITE = "on_site", _("Stationed at the center: handles on site")
    WINDOW = "window", _("Window unit: handles on site or takes back and reports")
    REPORT_BACK = "report_back", _("Receives transfers and reports back by a deadline")


class EventKind(models.TextChoices):
    INTAKE = "intake", _("Taken in")
    TRANSITION = "transition", _("State change")
    ROUTE = "route", _("Routed")
    TRANSFER = "transfer", _("Transferred")
    ESCALATE = "escalate", _("Escalated (overdue)")
    DUPLICATE = "duplicate", _("Linked as duplicate")
    SUPERVISION = "supervision", _("Supervision changed")
    ASSIGNMENT = "assignment", _("Dispatch")
    NOTE = "note", _("Note")


class DispatchStep(models.TextChoices):
    """The ``action`` of an ``assignment`` event: one step of a responder's assignment.

    Defined here, not in volunteers, because the trail (incidents) names every step it shows.
    """

    ASSIGN = "assign", pgettext_lazy("dispatch step", "Offered to a responder")
    REOFFER = "reoffer", pgettext_lazy("dispatch step", "Offered to the next responder")
    ACCEPT = "accept", pgettext_lazy("dispatch step", "Accepted")
    DECLINE = "decline", pgettext_lazy("dispatch step", "Declined")
    EXPIRE = "expire", pgettext_lazy("dispatch step", "Offer expired")
    EN_ROUTE = "en_route", pgettext_lazy("dispatch step", "On the way")
    ARRIVE = "arrive", pgettext_lazy("dispatch step", "Arrived on scene")
    DONE = "done", pgettext_lazy("dispatch step", "Done on site")
    CANCEL = "cancel", pgettext_lazy("dispatch step", "Assignment cancelled")
    NO_ONE_FREE = "no_one_free", pgettext_lazy("dispatch step", "No free responder to offer")


class Action(models.TextChoices):
    """The workflow's user actions; each moves a matter along one allowed edge."""

    ASSESS = "assess", _("Assess")
    ROUTE = "route", _("Route")
    START = "start", _("Start handling")
    RESOLVE = "resolve", _("Resolve")
    FAIL = "fail", _("Close as unresolved")
    TRANSFER = "transfer", _("Transfer")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    REOPEN = "reopen", _("Reopen")
    CLOSE = "close", pgettext_lazy("workflow action", "Close")
