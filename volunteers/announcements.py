"""Who hears of dispatch: the offered unit's people, and the dispatcher of each later step.

Called from volunteers.services inside the dispatch transaction (notify.outbox): an offer that
rolls back was never announced. Kept to a few indexed queries: it runs inside ``assign()``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from incidents.announcements import matter_link
from incidents.choices import DispatchStep, UnitKind
from incidents.models import Incident
from notify.choices import Event
from notify.models import Preference
from notify.outbox import Message, announce
from volunteers.models import Assignment, Responder, Volunteer


def unit_people(unit: Responder) -> list[User]:
    """The accounts that act for the unit and, for a squad, its leader's account."""
    # One indexed semi-join on a UNION: OR of two IN-lists makes the planner scan every user.
    members = Responder.members.through.objects.filter(responder_id=unit.pk).values("user_id")
    leader = Volunteer.objects.filter(squad_id=unit.pk, is_leader=True).values("user_id")
    return list(User.objects.filter(pk__in=members.union(leader, all=True), is_active=True))


# Everything an offer's notifications need, read by the offer's own statement
# (volunteers.services.offers) beside the new assignment: this runs inside assign(), whose whole
# budget is a few milliseconds (bench/dispatch.py), and the ORM's separate reads (the matter's
# title and date, the unit's people and their preferences, the center and its own channels) cost
# more than the assignment itself. Same rules as unit_people(), announce() and Incident.number.
# Columns over OFFER_AUDIENCE_FROM; parameters %(responder)s, %(incident)s and %(center)s
# (offer_audience_params).
OFFER_AUDIENCE_COLUMNS = """i.title, i.received_at, c.area_id,
    (SELECT coalesce(json_agg(json_build_array(cc.kind, cc.enabled)), '[]'::json)
       FROM notify_centerchannel cc WHERE cc.area_id = c.area_id),
    (SELECT coalesce(json_agg(json_build_array(u.id, u.language, u.phone, p.sms_events,
                                               p.quiet_start, p.quiet_end)), '[]'::json)
       FROM accounts_user u LEFT JOIN notify_preference p ON p.user_id = u.id
      WHERE u.is_active
        AND u.id IN (SELECT m.user_id FROM volunteers_responder_members m
                      WHERE m.responder_id = %(responder)s
                     UNION ALL
                     SELECT v.user_id FROM volunteers_volunteer v
                      WHERE v.squad_id = %(responder)s AND v.is_leader))"""
OFFER_AUDIENCE_FROM = """incidents_incident i
LEFT JOIN incidents_handlingunit c ON c.id = i.handling_unit_id AND c.kind = %(center)s"""


def offer_audience_params(incident: Incident, unit: Responder) -> dict[str, object]:
    """The parameters of ``OFFER_AUDIENCE_COLUMNS`` and ``OFFER_AUDIENCE_FROM``."""
    return {"responder": unit.pk, "incident": incident.pk, "center": UnitKind.CENTER.value}


def _offer_audience(
    incident: Incident, audience: tuple
) -> tuple[list[User], dict[int, Preference | None], list[int], dict[int, dict[str, bool]]]:
    """The unit's people with their preferences, and the matter's center with its channels, from
    the ``OFFER_AUDIENCE_COLUMNS`` of the offer's statement."""
    title, received_at, center, channels, people = audience
    # The locked matter was read without these columns (assign's hot path): fill them in.
    incident.title, incident.received_at = title, received_at
    users: list[User] = []
    preferences: dict[int, Preference | None] = {}
    for pk, language, phone, sms_events, quiet_start, quiet_end in people:
        users.append(User(pk=pk, language=language, phone=phone, is_active=True))
        preferences[pk] = (
            None
            if sms_events is None
            else Preference(
                user_id=pk,
                sms_events=sms_events,
                quiet_start=_time(quiet_start),
                quiet_end=_time(quiet_end),
            )
        )
    centers = [] if center is None else [center]
    own = {} if center is None else {center: {kind: on for kind, on in channels}}
    return users, preferences, centers, own


def _time(raw: str | None) -> dt.time | None:
    return None if raw is None else dt.time.fromisoformat(raw)


def announce_offer(assignment: Assignment, audience: tuple) -> None:
    """A unit was offered the matter: its people and the center's group; a re-offer also tells
    the dispatcher who assigned it. ``audience``: the ``OFFER_AUDIENCE_COLUMNS`` read with the
    offer."""
    incident, unit = assignment.incident, assignment.responder
    users, preferences, centers, own = _offer_audience(incident, audience)
    params = {"number": incident.number, "title": incident.title, "unit": unit.display_name}
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
        recipients=users,
        centers=centers,
        incident=incident,
        urgent=True,
        preferences=preferences,
        center_channels=own,
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
                "unit": assignment.responder.display_name,
                "note": note.strip(),
            },
            matter_link(incident),
        ),
        recipients=[assignment.assigned_by],
        incident=incident,
    )
