"""Who a step on a matter's timeline concerns, named by the app that knows it.

The timeline of the detail page lists the person who acted (the event's actor). A dispatch step
concerns a unit too ("offered to", "accepted by"), and a unit's account is a person (a squad's
leader, say) whose name is not the unit's. The incidents app cannot read units (volunteers sits
above it in the layering), so the app that owns them registers a function here that names the
subjects of the events it knows; the detail page shows that name beside the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from incidents.models import IncidentEvent

# Each: events → {event id: the name of what the event concerns}.
SubjectNamer = Callable[[list[IncidentEvent]], dict[int, str]]
_NAMERS: list[SubjectNamer] = []


def register_subject_namer(namer: SubjectNamer) -> None:
    """Add ``namer`` (an app's ``ready()`` calls this once)."""
    if namer not in _NAMERS:
        _NAMERS.append(namer)


def subject_names(events: Iterable[IncidentEvent]) -> dict[int, str]:
    """The subject's name of each event some registered namer knows, by event id."""
    events = list(events)
    names: dict[int, str] = {}
    for namer in _NAMERS:
        names.update(namer(events))
    return names
