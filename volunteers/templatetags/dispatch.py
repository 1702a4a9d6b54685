"""Template filters of dispatch, for pages outside the volunteers app (the matter's detail)."""

from __future__ import annotations

from django import template

from incidents.models import Incident
from volunteers.services import ASSIGNABLE_STATES, dispatches_for

register = template.Library()


@register.filter
def dispatchable_by(incident: Incident, user: object) -> bool:
    """Whether ``user`` may open the dispatch console of ``incident`` now: routed or in
    progress, and they dispatch for its handling unit."""
    return incident.state in ASSIGNABLE_STATES and dispatches_for(user, incident)
