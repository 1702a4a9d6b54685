"""Write paths of incidents: intake, the workflow's actions, transfer, escalation, duplicates.

Every public function is one user action and one transaction. Workflow actions lock the matter's
row (``SELECT … FOR UPDATE``) and check its state under the lock, so of two people acting at once
exactly one succeeds and the other gets a WorkflowError saying why.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPoint
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
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

# Intake's input types and limits live in incidents.intake; re-exported here, where views,
# the API and the demo import them from.
from incidents.intake import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    MAX_PARTIES,
    MAX_POINTS,
    TITLE_MAX,
    CheckedIntake,
    IntakeRequest,
    PartyInput,
    PhotoInput,
    check_request,
)
from incidents.models import HandlingUnit, Incident, IncidentEvent, Party, Photo
from incidents.photos import PreparedPhoto
from incidents.queries import DuplicateCandidate, overdue_q, possible_duplicates, visible_incidents
from incidents.routing import parent_unit, routed_unit
from incidents.signals import handling_ended

__all__ = [
    "ACTIONS",
    "ACTS_FOR_UNIT_SQL",
    "ADDRESS_MAX",
    "DESCRIPTION_MAX",
    "INTAKE_ROLES",
    "MAX_PARTIES",
    "MAX_POINTS",
    "STAFF_ROLES",
    "TITLE_MAX",
    "TRANSITIONS",
    "EscalationReport",
    "IncidentInputError",
    "IntakeNotAllowedError",
    "IntakeRequest",
    "IntakeResult",
    "PartyInput",
    "PhotoInput",
    "WorkflowError",
    "acts_for",
    "acts_for_unit",
    "acts_for_unit_params",
    "allowed_actions",
    "assess",
    "close",
    "escalate_overdue",
    "follow_up",
    "link_duplicate",
    "mark_unresolved",
    "reopen",
    "resolve",
    "route",
    "set_supervision",
    "start",
    "start_locked",
    "take_in",
    "transfer",
]

INTAKE_ROLES = {Role.GRID_LEADER, Role.DISPATCHER, Role.COUNTY_ADMIN}
STAFF_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}


class IncidentInputError(Exception):
    """Input that cannot be taken in; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class WorkflowError(Exception):
    """An action the matter's state or the user's role does not allow; the message says why."""


class IntakeNotAllowedError(WorkflowError):
    """The user's role (or missing jurisdiction) does not allow taking in matters."""


@dataclass
class IntakeResult:
    incident: Incident
    created: bool
    duplicates: list[DuplicateCandidate] = field(default_factory=list)


def take_in(
    *, request: IntakeRequest, reporter: object, now: dt.datetime | None = None
) -> IntakeResult:
    """Take in one matter (any path): validate, locate, route, store with its trail.

    A request whose ``uid`` was already taken in by the same reporter returns that record
    unchanged (``created`` False): a phone retrying on a flaky network never makes a second one.
    """
    if getattr(reporter, "role", None) not in INTAKE_ROLES or user_area(reporter) is None:
        raise IntakeNotAllowedError(_("Your role cannot take in matters."))
    uid = _parse_uid(request.uid)
    existing = _existing_for_retry(uid, reporter)
    if existing is not None:
        return IntakeResult(existing, created=False)
    checked, errors = check_request(request, reporter)
    if errors:
        raise IncidentInputError(errors)
    received_at = now or timezone.now()
    incident = _new_incident(checked, uid=uid, reporter=reporter, request=request, at=received_at)
    stored_files: list[str] = []
    try:
        with transaction.atomic():
            _store_intake(incident, checked, stored_files)
    except IntegrityError:
        _delete_files(stored_files)
        # Two copies of one retry raced past the lookup above; the first insert won.
        existing = _existing_for_retry(uid, reporter)
        if existing is None:
            raise
        return IntakeResult(existing, created=False)
    except BaseException:
        _delete_files(stored_files)
        raise
    duplicates = possible_duplicates(
        category=checked.category,
        points=[hit.point for hit in checked.located],
        user=reporter,
        now=received_at,
        exclude_id=incident.pk,
    )
    return IntakeResult(incident, created=True, duplicates=duplicates)


def _new_incident(
    checked: CheckedIntake,
    *,
    uid: uuid.UUID,
    reporter: object,
    request: IntakeRequest,
    at: dt.datetime,
) -> Incident:
    """The unsaved matter, routed by the rule and located by its first point."""
    unit = routed_unit(
        [hit.grid.code for hit in checked.located], multi_department=request.multi_department
    )
    first = checked.located[0]
    return Incident(
        uid=uid,
        kind=checked.category.kind,
        category=checked.category,
        tier=checked.tier,
        title=checked.title,
        description=checked.description,
        address=checked.address,
        location=first.point,
        locations=MultiPoint([hit.point for hit in checked.located], srid=4326),
        input_crs=checked.input_crs,
        location_accuracy_m=checked.accuracy_m,
        grid=first.grid,
        village=first.grid.parent,
        township=first.grid.parent.parent,
        county=first.grid.parent.parent.parent,
        outside_grid=first.outside_m is not None,
        outside_distance_m=first.outside_m,
        source=checked.source,
        reporter=reporter,
        multi_department=request.multi_department,
        handling_unit=unit,
        state=State.RECEIVED,
        duplicate_of=checked.duplicate_of,
        received_at=at,
        due_at=at + TIER_DEADLINE[checked.tier],
    )


def _store_intake(incident: Incident, checked: CheckedIntake, stored_files: list[str]) -> None:
    """Save the matter, its parties and photos, and the intake event (inside one transaction)."""
    incident.save()
    Party.objects.bulk_create(
        Party(incident=incident, name=p.name, phone=p.phone, id_number=p.id_number, role=p.role)
        for p in checked.parties
    )
    for photo in checked.photos:
        _store_photo(incident, photo, incident.reporter, incident.received_at, stored_files)
    _append(
        incident,
        actor=incident.reporter,
        kind=EventKind.INTAKE,
        to_state=State.RECEIVED,
        at=incident.received_at,
        data={
            "source": incident.source,
            "handling_unit": incident.handling_unit.code,
            "outside_grid_m": incident.outside_distance_m,
            "input_crs": incident.input_crs,
            "duplicate_of": incident.duplicate_of_id,
        },
    )


def _parse_uid(raw: uuid.UUID | str | None) -> uuid.UUID:
    if raw is None or raw == "":
        return uuid.uuid4()
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise IncidentInputError({"uid": [_("uid must be a UUID.")]}) from None


def _existing_for_retry(uid: uuid.UUID, reporter: object) -> Incident | None:
    existing = Incident.objects.filter(uid=uid).first()
    if existing is None:
        return None
    if existing.reporter_id != getattr(reporter, "pk", None):
        raise IncidentInputError(
            {"uid": [_("This uid belongs to a matter taken in by someone else; send a new one.")]}
        )
    return existing


def _store_photo(
    incident: Incident, photo: PreparedPhoto, actor: object, at: dt.datetime, stored: list[str]
) -> None:
    record = Photo(
        incident=incident,
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.content),
        uploaded_by=actor,
        uploaded_at=at,
    )
    record.image.save("photo.jpg", ContentFile(photo.content), save=False)
    # Noted before the row is saved: if the save fails, the caller still removes the file.
    stored.append(record.image.name)
    record.save()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _append(
    incident: Incident,
    *,
    actor: object | None,
    kind: str,
    action: str = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    data: dict | None = None,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        at=at or timezone.now(),
        data=data or {},
    )


# --- workflow ------------------------------------------------------------------------------------

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


def acts_for(user: object, unit: HandlingUnit) -> bool:
    """Whether ``user`` works for ``unit``: a member, or center staff whose area covers it."""
    return acts_for_unit(user, unit.pk)


def acts_for_unit(user: object, unit_id: int | None) -> bool:
    """``acts_for`` by the unit's id, in one query (the unit and its area need not be loaded)."""
    if getattr(user, "pk", None) is None or unit_id is None:
        return False
    rule = Q(members=user.pk)  # type: ignore[attr-defined]
    area = user_area(user)
    if getattr(user, "role", None) in STAFF_ROLES and area is not None:
        rule |= Q(area__code__startswith=area.code_prefix)
    return HandlingUnit.objects.filter(rule, pk=unit_id).exists()


# ``acts_for_unit`` as one SQL expression on the column ``i.handling_unit_id``, for a statement
# that locks a matter and checks its actor at once (volunteers.services.assign): building the
# separate EXISTS query cost more than a third of an assignment (bench/dispatch.py). Parameters:
# ``acts_for_unit_params``. A test keeps the two forms in agreement.
ACTS_FOR_UNIT_SQL = """EXISTS (
    SELECT 1 FROM incidents_handlingunit u JOIN gridmap_area a ON a.id = u.area_id
    WHERE u.id = i.handling_unit_id
      AND (starts_with(a.code, %(staff_prefix)s)
           OR EXISTS (SELECT 1 FROM incidents_handlingunit_members m
                      WHERE m.handlingunit_id = u.id AND m.user_id = %(actor)s)))"""


def acts_for_unit_params(user: object) -> dict[str, object]:
    """The parameters of ``ACTS_FOR_UNIT_SQL`` for ``user`` (a NULL prefix: not center staff)."""
    pk = getattr(user, "pk", None)
    area = user_area(user)
    staff = pk is not None and area is not None and getattr(user, "role", None) in STAFF_ROLES
    return {"actor": pk, "staff_prefix": area.code_prefix if staff else None}


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


# --- flags, duplicates, deadlines ----------------------------------------------------------------


def set_supervision(
    *,
    incident_id: int,
    actor: object,
    supervised: bool,
    owner_leader: object | None = None,
    note: str = "",
) -> Incident:
    """挂牌督办 / 领导包案: leadership and county administrators mark a matter."""
    if getattr(actor, "role", None) not in {Role.LEADERSHIP, Role.COUNTY_ADMIN}:
        raise WorkflowError(_("Only leadership can supervise matters or own them."))
    if owner_leader is not None and getattr(owner_leader, "role", None) != Role.LEADERSHIP:
        raise IncidentInputError({"owner_leader": [_("The owning leader must be a leader.")]})
    with transaction.atomic():
        incident = (
            visible_incidents(actor).select_for_update(of=("self",)).filter(pk=incident_id).first()
        )
        if incident is None:
            raise WorkflowError(_("This matter is outside your jurisdiction."))
        before = {"supervised": incident.supervised, "owner_leader": incident.owner_leader_id}
        incident.supervised = supervised
        incident.owner_leader = owner_leader  # type: ignore[assignment]
        incident.save(update_fields=["supervised", "owner_leader", "updated_at"])
        event = _append(
            incident,
            actor=actor,
            kind=EventKind.SUPERVISION,
            note=note.strip(),
            data={
                "before": before,
                "after": {
                    "supervised": supervised,
                    "owner_leader": getattr(owner_leader, "pk", None),
                },
            },
        )
        announcements.announce_supervision(incident, event)
    return incident


def link_duplicate(
    *, incident_id: int, duplicate_of_id: int, actor: object, note: str = ""
) -> Incident:
    """Mark a matter as a duplicate of an earlier one (both stay on record)."""
    if incident_id == duplicate_of_id:
        raise IncidentInputError({"duplicate_of": [_("A matter cannot duplicate itself.")]})
    with transaction.atomic():
        incident = (
            visible_incidents(actor).select_for_update(of=("self",)).filter(pk=incident_id).first()
        )
        original = visible_incidents(actor).filter(pk=duplicate_of_id).first()
        if incident is None or original is None:
            raise IncidentInputError({"duplicate_of": [_("No such matter that you can see.")]})
        if original.duplicate_of_id == incident.pk:
            raise IncidentInputError(
                {"duplicate_of": [_("That matter is already a duplicate of this one.")]}
            )
        incident.duplicate_of = original
        incident.save(update_fields=["duplicate_of", "updated_at"])
        _append(
            incident,
            actor=actor,
            kind=EventKind.DUPLICATE,
            note=note.strip(),
            data={"duplicate_of": original.pk},
        )
    return incident


@dataclass(frozen=True)
class Escalation:
    """One matter moved by the deadline check: from which unit to which (codes)."""

    incident_id: int
    from_unit: str
    to_unit: str


@dataclass(frozen=True)
class EscalationReport:
    overdue: int
    escalated: int
    moves: tuple[Escalation, ...] = ()
    dry_run: bool = False


def escalate_overdue(*, now: dt.datetime | None = None, dry_run: bool = False) -> EscalationReport:
    """Move each open, overdue, not yet escalated matter to its parent center and mark it.

    Idempotent: a matter is escalated once per deadline (reopening sets a new one), so running
    the check again changes nothing. Rows another transaction holds are skipped until next run.
    A dry run does the same work and rolls it back, so it reports exactly what a run would do.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            Incident.objects.filter(overdue_q(now), escalated_at__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("handling_unit__area__parent")
            .order_by("due_at", "pk")
        )
        moves = tuple(_escalate(incident, now) for incident in due)
        overdue = Incident.objects.filter(overdue_q(now)).count()
        if dry_run:
            transaction.set_rollback(True)
    return EscalationReport(overdue=overdue, escalated=len(moves), moves=moves, dry_run=dry_run)


def _escalate(incident: Incident, now: dt.datetime) -> Escalation:
    previous = incident.handling_unit
    target = parent_unit(previous)
    incident.handling_unit = target
    incident.escalated_at = now
    incident.save(update_fields=["handling_unit", "escalated_at", "updated_at"])
    event = _append(
        incident,
        actor=None,
        kind=EventKind.ESCALATE,
        from_state=incident.state,
        to_state=incident.state,
        at=now,
        note=_("Overdue since %(due)s; escalated to %(unit)s.")
        % {
            "due": timezone.localtime(_missed_deadline(incident, now)).strftime("%Y-%m-%d %H:%M"),
            "unit": target,
        },
        data={"from_unit": previous.code, "to_unit": target.code},
    )
    announcements.announce_escalation(incident, event, previous)
    return Escalation(incident.pk, previous.code, target.code)


def _missed_deadline(incident: Incident, now: dt.datetime) -> dt.datetime:
    """The deadline the matter missed: its due time, else its report-back time."""
    if incident.due_at < now or incident.report_back_due_at is None:
        return incident.due_at
    return incident.report_back_due_at


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
