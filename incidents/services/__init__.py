"""Write paths of incidents: intake, the workflow's actions, transfer, escalation, duplicates.

Every public function is one user action and one transaction. Workflow actions lock the matter's
row (``SELECT … FOR UPDATE``) and check its state under the lock, so of two people acting at once
exactly one succeeds and the other gets a WorkflowError saying why.

One module a capability; callers import from here:
- ``intake``: take_in (validate, locate, route, store with parties, photos and trail) and its roles;
- ``workflow``: assess, route, start, resolve, mark_unresolved, transfer, follow_up, reopen, close,
  the TRANSITIONS table, allowed_actions and the ACTIONS map the views and the API dispatch on;
- ``acting_for``: who acts for a handling unit, as a query and as one SQL expression;
- ``supervision``: 挂牌督办 / 领导包案 (set_supervision);
- ``duplicates``: link_duplicate;
- ``deadlines``: escalate_overdue, the deadline check;
- ``common``: IncidentInputError, WorkflowError and the trail's append, shared by the rest.
"""

# Intake's input types and limits live in incidents.intake; re-exported here, where views,
# the API and the demo import them from.
from incidents.intake import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    MAX_PARTIES,
    MAX_POINTS,
    TITLE_MAX,
    IntakeRequest,
    PartyInput,
    PhotoInput,
)
from incidents.services.acting_for import (
    ACTS_FOR_UNIT_SQL,
    STAFF_ROLES,
    acts_for,
    acts_for_unit,
    acts_for_unit_params,
)
from incidents.services.common import IncidentInputError, WorkflowError
from incidents.services.deadlines import EscalationReport, escalate_overdue
from incidents.services.duplicates import link_duplicate
from incidents.services.intake import INTAKE_ROLES, IntakeNotAllowedError, IntakeResult, take_in
from incidents.services.supervision import set_supervision
from incidents.services.workflow import (
    ACTIONS,
    TRANSITIONS,
    allowed_actions,
    assess,
    close,
    follow_up,
    mark_unresolved,
    reopen,
    resolve,
    route,
    start,
    start_locked,
    transfer,
)

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
