"""The workflow's actions: assess, route, start, resolve or not, transfer, follow up, reopen,
close; the table of their transitions and who may take each.

Every action is one transaction. It locks the matter's row (``SELECT … FOR UPDATE``) and checks
its state under the lock, so of two people acting at once exactly one succeeds and the other gets
a WorkflowError saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from gridmap.queries import locate, nearest_grid
from gridmap.scoping import user_area
from incidents import announcements
from incidents.choices import (
    TIER_DEADLINE,
    Action,
    DepartmentMode,
    EventKind,
    Result,
    Satisfaction,
    State,
    Tier,
    UnitKind,
)
from incidents.models import HandlingUnit, Incident
from incidents.routing import routed_unit
from incidents.services.acting_for import STAFF_ROLES, acts_for
from incidents.services.common import IncidentInputError, WorkflowError, _append
from incidents.signals import handling_ended

# action → (states it may start from, state it leads to). Transfer keeps the matter routed.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Action.ASSESS: ((State.RECEIVED,), State.ASSESSED),
    Action.ROUTE: ((State.ASSESSED,), State.ROUTED),
    Action.START: ((State.ROUTED,), State.IN_PROGRESS),
    Action.RESOLVE: ((State.IN_PROGRESS,), State.RESOLVED),
    Action.FAIL: ((State.IN_PROGRESS,), State.UNRESOLVED),
    Action.TRANSFER: ((State.ROUTED, State.IN_PROGRESS), State.ROUTED),
    Action.FOLLOW_UP: ((State.RESOLVED, State.UNRESOLVED), State.FOLLOWED_UP),
    Action.REOPEN: ((State.FOLLOWED_UP,), State.IN_PROGRESS),
    Action.CLOSE: ((State.FOLLOWED_UP,), State.CLOSED),
}


def allowed_actions(user: object, incident: Incident) -> list[str]:
    """The actions ``user`` may take on ``incident`` now (for buttons; the services re-check)."""
    return [a for a in TRANSITIONS if _refusal(user, incident, a, {}) is None]


def _refusal(user: object, incident: Incident, action: str, params: dict) -> str | None:
    """Why ``user`` may not take ``action`` on ``incident`` now, or None if they may."""
    sources, _target = TRANSITIONS[action]
    if incident.state not in sources:
        return _(
            "A matter that is %(state)s cannot be given “%(action)s” (allowed from: %(from)s)."
        ) % {
            "state": State(incident.state).label,
            "action": Action(action).label,
            "from": ", ".join(str(State(s).label) for s in sources),
        }
    role = getattr(user, "role", None)
    if action == Action.FOLLOW_UP:
        if incident.handler_id is not None and incident.handler_id == getattr(user, "pk", None):
            return _("The follow-up visit must be made by someone other than the handler.")
        own_grid = role == Role.GRID_LEADER and user_area(user) == incident.grid
        if not (own_grid or acts_for(user, incident.handling_unit)):
            return _("Only the center's staff or the grid's leader can make the follow-up visit.")
        return None
    if action == Action.REOPEN and incident.satisfaction != Satisfaction.DISSATISFIED:
        return _("Only a matter whose follow-up found the parties dissatisfied can be reopened.")
    if action in (Action.START, Action.RESOLVE, Action.FAIL):
        if not acts_for(user, incident.handling_unit):
            return _("Only %(unit)s can handle this matter.") % {"unit": incident.handling_unit}
        return None
    if role not in STAFF_ROLES or not acts_for(user, incident.handling_unit):
        return _("Only dispatchers of %(unit)s can do this.") % {"unit": incident.handling_unit}
    return None


def _transition(
    *,
    incident_id: int,
    action: str,
    actor: object,
    note: str = "",
    apply: Callable[[Incident, dt.datetime], dict | None] | None = None,
    params: dict | None = None,
) -> Incident:
    """Lock the matter, check the action is allowed now, apply it, append the event."""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("handling_unit__area", "grid")
            .get(pk=incident_id)
        )
        reason = _refusal(actor, incident, action, params or {})
        if reason is not None:
            raise WorkflowError(reason)
        now = timezone.now()
        from_state = incident.state
        incident.state = TRANSITIONS[action][1]
        data = apply(incident, now) if apply else None
        incident.save()
        event = _append(
            incident,
            actor=actor,
            kind=EventKind.TRANSITION,
            action=action,
            from_state=from_state,
            to_state=incident.state,
            note=note,
            at=now,
            data=data,
        )
        announcements.announce_transition(incident, event, action=action, actor=actor)
    return incident


def assess(
    *,
    incident_id: int,
    actor: object,
    note: str = "",
    tier: str | None = None,
    multi_department: bool | None = None,
) -> Incident:
    """Assessment (研判): confirm or change the tier (due time follows) and the departments flag."""
    if tier is not None and tier not in Tier.values:
        raise IncidentInputError({"tier": [_("Unknown tier %(tier)r.") % {"tier": tier}]})

    def apply(incident: Incident, now: dt.datetime) -> dict:
        changes = {}
        if tier and tier != incident.tier:
            changes["tier"] = [incident.tier, tier]
            incident.tier = tier
            incident.due_at = incident.received_at + TIER_DEADLINE[tier]
        if multi_department is not None and multi_department != incident.multi_department:
            changes["multi_department"] = [incident.multi_department, multi_department]
            incident.multi_department = multi_department
        return changes

    return _transition(
        incident_id=incident_id, action=Action.ASSESS, actor=actor, note=note, apply=apply
    )


def route(
    *,
    incident_id: int,
    actor: object,
    note: str = "",
    override_unit: HandlingUnit | None = None,
    override_reason: str = "",
) -> Incident:
    """Routing (分流): to the center the rule picks, or to another unit with a recorded reason."""
    if override_unit is not None and not override_reason.strip():
        raise IncidentInputError(
            {"override_reason": [_("Say why the routing rule is overridden.")]}
        )
    if override_unit is not None and not override_unit.active:
        raise IncidentInputError(
            {"override_unit": [_("%(unit)s is not active.") % {"unit": override_unit}]}
        )

    def apply(incident: Incident, now: dt.datetime) -> dict:
        codes = _grid_codes(incident)
        by_rule = routed_unit(codes, multi_department=incident.multi_department)
        chosen = override_unit or by_rule
        previous = incident.handling_unit
        incident.handling_unit = chosen
        overridden = chosen.pk != by_rule.pk
        incident.route_override_reason = override_reason.strip() if overridden else ""
        _set_report_back(incident, chosen, now, None)
        return {
            "from_unit": previous.code,
            "to_unit": chosen.code,
            "rule_unit": by_rule.code,
            "override_reason": incident.route_override_reason,
        }

    return _transition(
        incident_id=incident_id, action=Action.ROUTE, actor=actor, note=note, apply=apply
    )


def _grid_codes(incident: Incident) -> list[str]:
    """The grid code of each of the matter's points (the first is stored; others located now)."""
    codes = [incident.grid.code]
    for point in list(incident.locations)[1:]:
        hit = locate(point.x, point.y)
        if hit is None:
            nearest = nearest_grid(point.x, point.y)
            codes.append(nearest.grid.code if nearest else incident.grid.code)
        else:
            codes.append(hit.grid.code)
    return codes


def _set_report_back(
    incident: Incident, unit: HandlingUnit, now: dt.datetime, report_back_by: dt.datetime | None
) -> None:
    if unit.kind == UnitKind.DEPARTMENT and unit.mode != DepartmentMode.ON_SITE:
        # Departments that take a matter away report back by a deadline: given, else the matter's.
        incident.report_back_due_at = report_back_by or max(incident.due_at, now)
    else:
        incident.report_back_due_at = report_back_by


def start(*, incident_id: int, actor: object, note: str = "") -> Incident:
    """The handling unit takes the matter up (调处/办理); the actor becomes its handler."""

    def apply(incident: Incident, now: dt.datetime) -> None:
        incident.handler = actor  # type: ignore[assignment]

    return _transition(
        incident_id=incident_id, action=Action.START, actor=actor, note=note, apply=apply
    )


def start_locked(
    incident: Incident,
    *,
    actor: object | None,
    at: dt.datetime,
    note: str = "",
    data: dict | None = None,
) -> None:
    """Move a ROUTED matter the caller has locked to in_progress, in the caller's transaction.

    For steps taken elsewhere that start the handling (a responder accepting an assignment): the
    same edge and trail event as ``start``, without its permission check (the caller's rules
    apply) and without making the actor the handler (the actor is not the unit's staff).
    """
    sources, target = TRANSITIONS[Action.START]
    if incident.state not in sources:
        raise WorkflowError(
            _("A matter that is %(state)s cannot be started.")
            % {"state": State(incident.state).label}
        )
    from_state, incident.state = incident.state, target
    incident.save(update_fields=["state", "updated_at"])
    event = _append(
        incident,
        actor=actor,
        kind=EventKind.TRANSITION,
        action=Action.START,
        from_state=from_state,
        to_state=target,
        note=note,
        at=at,
        data=data,
    )
    announcements.announce_transition(incident, event, action=Action.START, actor=actor)


def _finish(incident_id: int, actor: object, outcome: str, action: str, result: str) -> Incident:
    if not outcome.strip():
        raise IncidentInputError({"outcome": [_("Describe the outcome.")]})

    def apply(incident: Incident, now: dt.datetime) -> dict:
        incident.result = result
        incident.outcome = outcome.strip()
        incident.handled_at = now
        return {"on_time": now <= incident.due_at}

    with transaction.atomic():
        incident = _transition(
            incident_id=incident_id, action=action, actor=actor, note=outcome.strip(), apply=apply
        )
        handling_ended.send(sender=Incident, incident=incident, at=incident.handled_at)
    return incident


def resolve(*, incident_id: int, actor: object, outcome: str) -> Incident:
    """Resolved (化解), with what was done."""
    return _finish(incident_id, actor, outcome, Action.RESOLVE, Result.RESOLVED)


def mark_unresolved(*, incident_id: int, actor: object, outcome: str) -> Incident:
    """Not resolved (未化解), with what was tried and why it failed."""
    return _finish(incident_id, actor, outcome, Action.FAIL, Result.UNRESOLVED)


def transfer(
    *,
    incident_id: int,
    actor: object,
    to_unit: HandlingUnit,
    note: str,
    report_back_by: dt.datetime | None = None,
) -> Incident:
    """Transfer (转办) to another center or a department, which then sees it in its queue."""
    if not note.strip():
        raise IncidentInputError({"note": [_("Say why the matter is transferred.")]})
    if report_back_by is not None and report_back_by <= timezone.now():
        raise IncidentInputError(
            {"report_back_by": [_("The report-back time must be in the future.")]}
        )

    def apply(incident: Incident, now: dt.datetime) -> dict:
        previous = incident.handling_unit
        if to_unit.pk == previous.pk:
            raise WorkflowError(_("The matter is already with %(unit)s.") % {"unit": to_unit})
        if not to_unit.active:
            raise WorkflowError(_("%(unit)s is not active.") % {"unit": to_unit})
        incident.handling_unit = to_unit
        incident.handler = None
        _set_report_back(incident, to_unit, now, report_back_by)
        return {
            "from_unit": previous.code,
            "to_unit": to_unit.code,
            "report_back_by": incident.report_back_due_at.isoformat()
            if incident.report_back_due_at
            else None,
        }

    return _transition(
        incident_id=incident_id, action=Action.TRANSFER, actor=actor, note=note.strip(), apply=apply
    )


def follow_up(*, incident_id: int, actor: object, satisfaction: str, note: str = "") -> Incident:
    """The follow-up visit (回访) and the parties' satisfaction; never by the handler."""
    if satisfaction not in Satisfaction.values:
        raise IncidentInputError({"satisfaction": [_("Choose how satisfied the parties are.")]})

    def apply(incident: Incident, now: dt.datetime) -> dict:
        incident.satisfaction = satisfaction
        incident.follow_up_note = note.strip()
        incident.followed_up_at = now
        return {"satisfaction": satisfaction}

    return _transition(
        incident_id=incident_id,
        action=Action.FOLLOW_UP,
        actor=actor,
        note=note.strip(),
        apply=apply,
    )


def reopen(*, incident_id: int, actor: object, note: str) -> Incident:
    """Back into handling after a dissatisfied follow-up, with a fresh deadline for its tier."""
    if not note.strip():
        raise IncidentInputError({"note": [_("Say why the matter is reopened.")]})

    def apply(incident: Incident, now: dt.datetime) -> dict:
        previous_due = incident.due_at
        incident.due_at = now + TIER_DEADLINE[incident.tier]
        incident.result = ""
        incident.handled_at = None
        incident.escalated_at = None
        return {"previous_due_at": previous_due.isoformat(), "due_at": incident.due_at.isoformat()}

    return _transition(
        incident_id=incident_id, action=Action.REOPEN, actor=actor, note=note.strip(), apply=apply
    )


def close(*, incident_id: int, actor: object, note: str = "") -> Incident:
    """Close the matter (评价 done)."""

    def apply(incident: Incident, now: dt.datetime) -> None:
        incident.closed_at = now

    return _transition(
        incident_id=incident_id, action=Action.CLOSE, actor=actor, note=note.strip(), apply=apply
    )


ACTIONS: dict[str, Callable[..., Incident]] = {
    Action.ASSESS: assess,
    Action.ROUTE: route,
    Action.START: start,
    Action.RESOLVE: resolve,
    Action.FAIL: mark_unresolved,
    Action.TRANSFER: transfer,
    Action.FOLLOW_UP: follow_up,
    Action.REOPEN: reopen,
    Action.CLOSE: close,
}
