"""What the incidents write paths share: their two errors and the trail's append."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidents.models import Incident, IncidentEvent


class IncidentInputError(Exception):
    """Input that cannot be taken in; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class WorkflowError(Exception):
    """An action the matter's state or the user's role does not allow; the message says why."""


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
