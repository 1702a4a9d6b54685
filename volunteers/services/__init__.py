"""Write paths of dispatch: assigning a responder, the assignment's steps, positions from phones.

Lock order, the same in every function here: the matter, then the assignment, then the responder
(other responders only with SKIP LOCKED, which never waits). Two people acting at once therefore
queue on the matter's row instead of deadlocking.

One module a capability; callers import from here:
- ``offers``: assign (a named unit or the nearest available one) and the offer itself;
- ``steps``: accept, decline and re-offer, on the way, arrived, done, cancel, expiry, and the
  end of live assignments when a matter's handling ends;
- ``positions``: positions posted from the units' phones;
- ``units``: a unit's status (from its live assignments) and its duty;
- ``rules``: who dispatches, who acts for a unit, which matters take units, DispatchError.
"""

from volunteers.services.offers import (
    NEAREST_WINDOWS,
    PASSED_OVER_STATES,
    RETRY_PAUSES_S,
    Dispatched,
    assign,
)
from volunteers.services.positions import (
    NotAMemberError,
    PositionInputError,
    PositionTooSoon,
    post_position,
)
from volunteers.services.rules import (
    ASSIGNABLE_STATES,
    DISPATCH_ROLES,
    DispatchError,
    dispatches_for,
    has_dispatch_role,
    is_member,
)
from volunteers.services.steps import (
    ASSIGNMENT_ACTIONS,
    act_on_assignment,
    allowed_assignment_actions,
    end_live_assignments,
    expire_offers,
)
from volunteers.services.units import STATUS_BY_PROGRESS, set_duty

__all__ = [
    "ASSIGNABLE_STATES",
    "ASSIGNMENT_ACTIONS",
    "DISPATCH_ROLES",
    "NEAREST_WINDOWS",
    "PASSED_OVER_STATES",
    "RETRY_PAUSES_S",
    "STATUS_BY_PROGRESS",
    "DispatchError",
    "Dispatched",
    "NotAMemberError",
    "PositionInputError",
    "PositionTooSoon",
    "act_on_assignment",
    "allowed_assignment_actions",
    "assign",
    "dispatches_for",
    "end_live_assignments",
    "expire_offers",
    "has_dispatch_role",
    "is_member",
    "post_position",
    "set_duty",
]
