"""The dispatch rules the other service modules share: who dispatches a matter, who acts for a
unit, which matters take units, and the refusal raised when a rule says no."""

from __future__ import annotations

from accounts.choices import Role
from incidents.choices import State
from incidents.models import Incident
from incidents.services import WorkflowError, acts_for_unit
from volunteers.models import Responder

DISPATCH_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}
ASSIGNABLE_STATES = (State.ROUTED, State.IN_PROGRESS)


class DispatchError(WorkflowError):
    """An assignment or step the rules do not allow (HTTP 409); the message says why."""


def dispatches_for(user: object, incident: Incident) -> bool:
    """Whether ``user`` may assign units to the matter and cancel their assignments: a
    dispatcher of its handling unit."""
    return has_dispatch_role(user) and acts_for_unit(user, incident.handling_unit_id)


def has_dispatch_role(user: object) -> bool:
    """Whether ``user``'s role dispatches at all (which matters: ``dispatches_for``)."""
    return getattr(user, "role", None) in DISPATCH_ROLES


def is_member(user: object, unit: Responder) -> bool:
    """Whether ``user`` is one of the accounts that act for the unit."""
    pk = getattr(user, "pk", None)
    return pk is not None and unit.members.filter(pk=pk).exists()
