"""挂牌督办 / 领导包案: leadership marks a matter as supervised and names the leader who owns it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from incidents import announcements
from incidents.choices import EventKind
from incidents.models import Incident
from incidents.queries import visible_incidents
from incidents.services.common import IncidentInputError, WorkflowError, _append


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
