"""Who hears of a matter's changes: recipients and texts of the workflow's notifications.

Called from the write paths of incidents.services inside their transaction (notify.outbox), so a
change and its notifications commit or roll back together. Also ``warn_deadlines``, the periodic
warning before a matter's deadline.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import User
from incidents.choices import OPEN_STATES, TIER_DEADLINE, Action, State, Tier, UnitKind
from incidents.models import HandlingUnit, Incident, IncidentEvent
from notify.choices import Event
from notify.outbox import Message, announce

# Actions after which the center's staff make the follow-up visit (回访).
FOLLOW_UP_ACTIONS = (Action.RESOLVE, Action.FAIL)
ROUTING_ACTIONS = (Action.ROUTE, Action.TRANSFER)


def matter_link(incident: Incident) -> str:
    """The matter's detail page (a path; channels that leave the site prefix the site's URL)."""
    return reverse("incidents:detail", kwargs={"pk": incident.pk})


def unit_staff(unit: HandlingUnit) -> list[User]:
    """The people who work a unit's queue: its members and, for a center, its area's dispatchers."""
    members = HandlingUnit.members.through.objects.filter(handlingunit_id=unit.pk)
    rule = Q(pk__in=members.values("user_id"))
    if unit.kind == UnitKind.CENTER:
        rule |= Q(role=Role.DISPATCHER, jurisdiction_id=unit.area_id)
    return list(User.objects.filter(rule, is_active=True))


def unit_center(unit: HandlingUnit) -> list[int]:
    """The area whose center's group chat hears of the unit's matters (centers only)."""
    return [unit.area_id] if unit.kind == UnitKind.CENTER else []


def _leaders(incident: Incident) -> list[User]:
    """The supervising leader: the owning leader, else whoever last put the matter under
    supervision (挂牌督办)."""
    if incident.owner_leader_id is not None:
        return [incident.owner_leader]
    if not incident.supervised:
        return []
    marked = (
        IncidentEvent.objects.filter(incident=incident, kind="supervision", actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return [marked.actor] if marked else []


def announce_transition(
    incident: Incident, event: IncidentEvent, *, action: str, actor: object | None
) -> None:
    """Notify of one workflow step: routing/transfer, follow-up due, supervised state changes."""
    number = incident.number
    link = matter_link(incident)
    params = {"number": number, "title": incident.title}
    if action in ROUTING_ACTIONS:
        unit = incident.handling_unit
        announce(
            event=Event.ROUTED,
            event_key=f"routed:{event.pk}",
            message=Message(
                _("Matter %(number)s for %(unit)s"),
                _("Matter %(number)s “%(title)s” was routed or transferred to %(unit)s."),
                {**params, "unit": unit.name},
                link,
            ),
            recipients=unit_staff(unit),
            centers=unit_center(unit),
            incident=incident,
        )
    if action in FOLLOW_UP_ACTIONS:
        # The visit is never the handler's (incidents.services.workflow._refusal).
        staff = [u for u in unit_staff(incident.handling_unit) if u.pk != incident.handler_id]
        announce(
            event=Event.FOLLOW_UP_DUE,
            event_key=f"follow_up:{event.pk}",
            message=Message(
                _("Follow-up visit due: %(number)s"),
                _(
                    "Matter %(number)s “%(title)s” was handled; visit the parties and record "
                    "their satisfaction."
                ),
                params,
                link,
            ),
            recipients=staff,
            incident=incident,
        )
    if incident.supervised or incident.owner_leader_id is not None:
        announce_supervised_change(incident, event)


def announce_supervised_change(incident: Incident, event: IncidentEvent) -> None:
    """Tell the supervising leader of every state change of a supervised or owned matter."""
    leaders = _leaders(incident)
    if not leaders:
        return
    announce(
        event=Event.SUPERVISED_CHANGE,
        event_key=f"supervised:{event.pk}",
        message=Message(
            _("Supervised matter %(number)s: %(state)s"),
            _("Matter %(number)s “%(title)s” is now %(state)s."),
            {"number": incident.number, "title": incident.title, "state": _state(incident.state)},
            matter_link(incident),
        ),
        recipients=leaders,
        incident=incident,
    )


def announce_supervision(incident: Incident, event: IncidentEvent) -> None:
    """The matter was put under supervision or given an owning leader: tell that leader."""
    if not (incident.supervised or incident.owner_leader_id):
        return
    announce(
        event=Event.SUPERVISED_CHANGE,
        event_key=f"supervised:{event.pk}",
        message=Message(
            _("Matter %(number)s is supervised"),
            _(
                "Matter %(number)s “%(title)s” (%(state)s) is under your supervision; you will "
                "hear of each change of its state."
            ),
            {"number": incident.number, "title": incident.title, "state": _state(incident.state)},
            matter_link(incident),
        ),
        recipients=_leaders(incident),
        incident=incident,
    )


def announce_escalation(incident: Incident, event: IncidentEvent, previous: HandlingUnit) -> None:
    """An overdue matter moved to the parent center: its handler and the parent center hear."""
    target = incident.handling_unit
    people = unit_staff(target)
    if incident.handler is not None:
        people.append(incident.handler)
    announce(
        event=Event.ESCALATED,
        event_key=f"escalated:{event.pk}",
        message=Message(
            _("Overdue matter %(number)s escalated"),
            _(
                "Matter %(number)s “%(title)s” missed its deadline at %(from)s and was escalated "
                "to %(unit)s."
            ),
            {
                "number": incident.number,
                "title": incident.title,
                "from": previous.name,
                "unit": target.name,
            },
            matter_link(incident),
        ),
        recipients=people,
        centers=unit_center(target),
        incident=incident,
    )
    if incident.supervised or incident.owner_leader_id is not None:
        announce_supervised_change(incident, event)


def _state(state: str) -> str:
    return State(state).label


# --- deadline warnings ---------------------------------------------------------------------------

_SPAN = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNIT = {"m": 60, "h": 3600, "d": 86400}


def parse_thresholds(raw: str) -> list[dt.timedelta]:
    """``"2h,1d"`` → [2 hours, 1 day], smallest first; ValueError names a bad item."""
    spans = []
    for item in raw.split(","):
        if not item.strip():
            continue
        match = _SPAN.match(item)
        if match is None:
            raise ValueError(f"Not a span like 30m, 2h or 1d: {item!r}")
        spans.append(dt.timedelta(seconds=int(match[1]) * _UNIT[match[2]]))
    return sorted(set(spans))


def warning_thresholds() -> dict[str, list[dt.timedelta]]:
    """Per tier, how long before the deadline to warn (NOTIFY_DEADLINE_WARNINGS[_<TIER>]).

    A threshold as long as the tier's whole handling time would warn at intake: left out.
    """
    default = getattr(settings, "NOTIFY_DEADLINE_WARNINGS", "2h,1d")
    per_tier = getattr(settings, "NOTIFY_DEADLINE_WARNINGS_BY_TIER", {})
    return {
        tier: [
            t for t in parse_thresholds(per_tier.get(tier) or default) if t < TIER_DEADLINE[tier]
        ]
        for tier in Tier.values
    }


def _label(span: dt.timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT[unit] == 0:
            return f"{seconds // _UNIT[unit]}{unit}"
    return f"{seconds}s"


def warn_deadlines(*, now: dt.datetime | None = None) -> int:
    """Warn the handler and the unit's staff of open matters near their deadline; how many
    matters got a new warning.

    Each matter gets one warning per threshold (event key ``deadline:<id>:<threshold>``), the
    nearest one it has crossed: running this twice, or late, never repeats a warning.
    """
    now = now or timezone.now()
    thresholds = warning_thresholds()
    warned = 0
    staff_of: dict[int, list[User]] = {}
    with transaction.atomic():
        for tier, spans in thresholds.items():
            if not spans:
                continue
            matters = (
                Incident.objects.filter(
                    tier=tier, state__in=OPEN_STATES, due_at__gt=now, due_at__lte=now + spans[-1]
                )
                .select_related("handling_unit", "handler")
                .order_by("due_at", "pk")
            )
            for incident in matters:
                span = next(s for s in spans if incident.due_at - now <= s)
                unit = incident.handling_unit
                if unit.pk not in staff_of:
                    staff_of[unit.pk] = unit_staff(unit)
                people = [*staff_of[unit.pk], incident.handler]
                written = announce(
                    event=Event.DEADLINE_WARNING,
                    event_key=f"deadline:{incident.pk}:{_label(span)}",
                    message=Message(
                        _("Deadline near: %(number)s"),
                        _("Matter %(number)s “%(title)s” is due at %(due)s (%(unit)s)."),
                        {
                            "number": incident.number,
                            "title": incident.title,
                            "due": timezone.localtime(incident.due_at).strftime("%Y-%m-%d %H:%M"),
                            "unit": unit.name,
                        },
                        matter_link(incident),
                    ),
                    recipients=people,
                    centers=unit_center(unit),
                    incident=incident,
                )
                warned += 1 if written else 0
    return warned
