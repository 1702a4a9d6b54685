"""Linking a matter to the earlier one it duplicates (both stay on record)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from incidents.choices import EventKind
from incidents.models import Incident
from incidents.queries import visible_incidents
from incidents.services.common import IncidentInputError, _append


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
