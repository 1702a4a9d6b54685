"""A unit's status and duty: the status follows the furthest step of its live assignments, and a
dispatcher takes the unit off duty or back on by hand."""

from __future__ import annotations

from django.db import transaction

from volunteers.choices import LIVE_ASSIGNMENT_STATES, AssignmentState, ResponderStatus
from volunteers.models import Assignment, Responder

# The unit's status is its furthest live step (common to every unit with several assignments).
STATUS_BY_PROGRESS = (
    (AssignmentState.ON_SCENE, ResponderStatus.ON_SCENE),
    (AssignmentState.EN_ROUTE, ResponderStatus.EN_ROUTE),
    (AssignmentState.ACCEPTED, ResponderStatus.ACCEPTED),
    (AssignmentState.OFFERED, ResponderStatus.OFFERED),
)


def _save_unit(unit: Responder) -> None:
    """Save the locked unit's load and the status that follows from its live assignments."""
    unit.status = _unit_status(unit)
    unit.save(update_fields=["load", "status"])


def _unit_status(unit: Responder, *, offered: bool = False) -> str:
    """The status of the locked unit after a change: the furthest step of its live assignments.

    ``offered``: the change was one new offer. An offer is the least advanced live step, so it
    moves only an idle unit, and the live assignments need not be read (the hot path of assign).
    """
    if offered:
        return ResponderStatus.OFFERED if unit.status == ResponderStatus.AVAILABLE else unit.status
    # Off duty is set by hand; assignments do not change it.
    if unit.status == ResponderStatus.OFF_DUTY:
        return unit.status
    live = set(
        Assignment.objects.filter(responder=unit, state__in=LIVE_ASSIGNMENT_STATES).values_list(
            "state", flat=True
        )
    )
    return next(
        (status for state, status in STATUS_BY_PROGRESS if state in live),
        ResponderStatus.AVAILABLE,
    )


def set_duty(*, responder_id: int, on_duty: bool) -> Responder:
    """Take a unit off duty (it gets no new offers; its live assignments go on) or back on duty,
    where its status follows its live assignments again."""
    with transaction.atomic():
        unit = Responder.objects.select_for_update(of=("self",)).get(pk=responder_id)
        if on_duty and unit.status == ResponderStatus.OFF_DUTY:
            unit.status = ResponderStatus.AVAILABLE  # then recomputed from its assignments
        elif not on_duty:
            unit.status = ResponderStatus.OFF_DUTY
        _save_unit(unit)
    return unit
