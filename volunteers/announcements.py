"""Who hears of dispatch: the offered unit's people, and the dispatcher of each later step.

Called from volunteers.services inside the dispatch transaction (notify.outbox): an offer that
rolls back was never announced. Kept to a few indexed queries: it runs inside ``assign()``.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from incidents.announcements import matter_link
from incidents.choices import DispatchStep, UnitKind
from incidents.models import HandlingUnit, Incident
from notify.choices import Event
from notify.outbox import Message, announce
from volunteers.models import Assignment, Responder, Volunteer


def unit_people(unit: Responder) -> list[User]:
    """The accounts that act for the unit and, for a squad, its leader's account."""
    # Two indexed semi-joins rather than OR over two outer joins + DISTINCT: this runs in assign().
    members = Responder.members.through.objects.filter(responder_id=unit.pk).values("user_id")
    leader = Volunteer.objects.filter(squad_id=unit.pk, is_leader=True).values("user_id")
    return list(User.objects.filter(Q(pk__in=members) | Q(pk__in=leader), is_active=True))


def _center_of(incident: Incident) -> list[int]:
    """The matter's center area, whose group chat hears of offers (departments have none)."""
    return list(
        HandlingUnit.objects.filter(pk=incident.handling_unit_id, kind=UnitKind.CENTER).values_list(
            "area_id", flat=True
        )
    )


def announce_offer(assignment: Assignment) -> None:
    """A unit was offered the matter: its people and the center's group; a re-offer also tells
    the dispatcher who assigned it."""
    incident, unit = assignment.incident, assignment.responder
    params = {"number": incident.number, "title": incident.title, "unit": unit.name}
    link = matter_link(incident)
    announce(
        event=Event.OFFER,
        event_key=f"offer:{assignment.pk}",
        message=Message(
            _("New assignment: matter %(number)s"),
            _(
                "Matter %(number)s “%(title)s” is offered to %(unit)s: accept or decline it on "
                "your assignments page."
            ),
            params,
            link,
        ),
        recipients=unit_people(unit),
        centers=_center_of(incident),
        incident=incident,
        urgent=True,
    )
    if assignment.reoffer_of_id is not None and assignment.assigned_by_id is not None:
        announce(
            event=Event.REOFFERED,
            event_key=f"reoffered:{assignment.pk}",
            message=Message(
                _("Matter %(number)s offered to %(unit)s"),
                _(
                    "The previous unit did not take matter %(number)s “%(title)s”; it was offered "
                    "to %(unit)s."
                ),
                params,
                link,
            ),
            recipients=[assignment.assigned_by],
            incident=incident,
        )


STEP_EVENTS = {
    DispatchStep.DECLINE: (
        Event.OFFER_DECLINED,
        _("%(unit)s declined matter %(number)s"),
        _("%(unit)s declined matter %(number)s “%(title)s”. %(note)s"),
    ),
    DispatchStep.EXPIRE: (
        Event.OFFER_EXPIRED,
        _("Offer of %(number)s expired"),
        _("%(unit)s did not answer the offer of matter %(number)s “%(title)s” in time."),
    ),
    DispatchStep.ARRIVE: (
        Event.UNIT_ARRIVED,
        _("%(unit)s arrived: %(number)s"),
        _("%(unit)s arrived on the scene of matter %(number)s “%(title)s”."),
    ),
    DispatchStep.DONE: (
        Event.UNIT_DONE,
        _("%(unit)s done: %(number)s"),
        _("%(unit)s finished on site for matter %(number)s “%(title)s”: %(note)s"),
    ),
}


def announce_step(assignment: Assignment, action: str, note: str = "") -> None:
    """Tell the dispatcher who assigned the unit that it declined, let the offer expire,
    arrived or finished."""
    if action not in STEP_EVENTS or assignment.assigned_by_id is None:
        return
    event, title, text = STEP_EVENTS[action]
    incident = assignment.incident
    announce(
        event=event,
        event_key=f"{event}:{assignment.pk}",
        message=Message(
            title,
            text,
            {
                "number": incident.number,
                "title": incident.title,
                "unit": assignment.responder.name,
                "note": note.strip(),
            },
            matter_link(incident),
        ),
        recipients=[assignment.assigned_by],
        incident=incident,
    )
