"""Dispatchable responders (mediators, counsellors, squads, …), squad members, assignments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridmap.models import WGS84, Area
from incidents.models import Category, Incident
from volunteers.choices import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentState,
    ResponderKind,
    ResponderStatus,
    TravelMode,
)


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """Positions posted before this moment are stale."""
    return (now or timezone.now()) - dt.timedelta(minutes=settings.DISPATCH_STALE_MINUTES)


class Responder(models.Model):
    """A dispatchable unit: a mediator, counsellor, lawyer, volunteer squad or committee."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=ResponderKind.choices)
    skills = models.ManyToManyField(
        Category,
        verbose_name=_("skills"),
        related_name="responders",
        help_text=_("The categories of matters this unit handles."),
    )
    # A copy of ``skills`` for the candidate query: testing an array on the row the KNN scan
    # already reads costs a third of a semi-join per row (1.0 against 1.6 ms among 100,000
    # units, bench/dispatch.py). Database triggers keep it (migration 0003); never written here.
    skill_ids = ArrayField(
        models.IntegerField(),
        default=list,
        editable=False,
        help_text=_("Ids of the skills' categories, kept by the database from the skills."),
    )
    home_area = models.ForeignKey(
        Area,
        verbose_name=_("home area"),
        on_delete=models.PROTECT,
        related_name="responders",
        help_text=_("The unit serves this area and everything below it."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=1, help_text=_("How many assignments it takes at once.")
    )
    load = models.PositiveSmallIntegerField(
        _("current assignments"),
        default=0,
        help_text=_("Live assignments; kept by the dispatch services under a row lock."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ResponderStatus.choices,
        default=ResponderStatus.AVAILABLE,
    )
    position = models.PointField(
        _("last known position"),
        srid=WGS84,
        null=True,
        blank=True,
        help_text=_("EPSG:4326 (degrees), as last posted by the unit's phone."),
    )
    position_at = models.DateTimeField(_("position time"), null=True, blank=True)
    position_accuracy_m = models.FloatField(
        _("position accuracy (m)"), null=True, blank=True, help_text=_("As the phone reported it.")
    )
    base = models.PointField(
        _("base"), srid=WGS84, null=True, blank=True, help_text=_("Where a squad gathers.")
    )
    travel_mode = models.CharField(
        _("travel mode"), max_length=5, choices=TravelMode.choices, default=TravelMode.CAR
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="responder_units",
        help_text=_("The accounts that act for this unit (accept, report, post positions)."),
    )
    active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(_("synthetic (demo)"), default=False)

    class Meta:
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        ordering = ["home_area__code", "kind", "name"]
        indexes = [
            # KNN (<->) over the units that can be dispatched at all; the rest never qualifies.
            GistIndex(
                fields=["position"],
                name="responder_dispatchable_gist",
                condition=Q(active=True) & ~Q(status=ResponderStatus.OFF_DUTY),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(load__lte=F("capacity")),
                name="responder_load_within_capacity",
                violation_error_message=_("A responder cannot take more than its capacity."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The unit's one name on every screen and in every message (issue 20 point 12): the
        console, the matter's timeline, the responder page, the dispatch queue, notifications
        and the API. The registered name as it stands (it carries its own place, e.g. a
        township's or village's), never the name of the person acting for the unit, nor with a
        place or kind added on one screen and not on another: those go beside it, apart."""
        return " ".join(self.name.split())

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        """No position, or none posted in the last DISPATCH_STALE_MINUTES minutes."""
        return self.position_at is None or self.position_at < stale_before(now)


class Volunteer(models.Model):
    """A person in a volunteer squad; one of them leads it."""

    squad = models.ForeignKey(
        Responder,
        verbose_name=_("squad"),
        on_delete=models.CASCADE,
        related_name="volunteers",
        limit_choices_to={"kind": ResponderKind.SQUAD},
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_leader = models.BooleanField(_("squad leader"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_records",
    )
    synthetic = models.BooleanField(_("synthetic person"), default=False)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["squad", "-is_leader", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["squad"],
                condition=Q(is_leader=True),
                name="one_leader_per_squad",
                violation_error_message=_("A squad has one leader."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A responder sent to a matter (派遣), from the offer to done or cancelled."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="assignments"
    )
    responder = models.ForeignKey(
        Responder,
        verbose_name=_("responder"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AssignmentState.choices,
        default=AssignmentState.OFFERED,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    distance_m = models.FloatField(_("distance at assignment (m)"), null=True, blank=True)
    override_reason = models.TextField(_("reason for assigning outside the rules"), blank=True)
    reoffer_of = models.ForeignKey(
        "self",
        verbose_name=_("offered after"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The declined or expired offer this one replaced automatically."),
    )
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("on the way at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    finished_at = models.DateTimeField(
        _("ended at"), null=True, blank=True, help_text=_("Declined, expired, done or cancelled.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "responder"],
                condition=Q(state__in=LIVE_ASSIGNMENT_STATES),
                name="one_live_assignment_per_pair",
                violation_error_message=_("This responder is already assigned to the matter."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.responder}"
