"""The unit a dispatch step on a matter's timeline concerns, by its one display name
(``Responder.display_name``); registered with incidents.timeline_subjects by the app's ready()."""

from __future__ import annotations

from incidents.choices import EventKind
from incidents.models import IncidentEvent
from volunteers.models import Responder


def dispatch_step_units(events: list[IncidentEvent]) -> dict[int, str]:
    """{event id: unit's display name} for the dispatch steps among ``events`` (their data names
    the unit: ``responder``), in one query."""
    wanted = {
        event.pk: event.data.get("responder")
        for event in events
        if event.kind == EventKind.ASSIGNMENT and isinstance(event.data, dict)
    }
    ids = {pk for pk in wanted.values() if isinstance(pk, int)}
    if not ids:
        return {}
    units = Responder.objects.only("id", "name").in_bulk(ids)
    return {event: units[pk].display_name for event, pk in wanted.items() if pk in units}
