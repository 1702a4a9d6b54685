"""Assignments on the demo's matters go when `load_demo_incidents --force` replaces the matters.

Connected to ``incidents.signals.synthetic_incidents_deleting`` (volunteers/apps.py): incidents
cannot import dispatch, and an assignment protects its matter from deletion.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q

from volunteers.choices import LIVE_ASSIGNMENT_STATES, ResponderStatus
from volunteers.models import Assignment, Responder


def delete_assignments_of_synthetic_incidents(**_signal: object) -> int:
    """Delete every assignment on a synthetic matter; the units that held them get their live
    load counted again, and are available when none is left. Returns how many were deleted."""
    doomed = Assignment.objects.filter(incident__synthetic=True)
    ids = list(doomed.values_list("pk", flat=True))
    if not ids:
        return 0
    units = list(doomed.values_list("responder_id", flat=True).distinct())
    with connection.cursor() as cursor:
        # One statement: re-offers point at the offers they replaced (a protected self-link).
        cursor.execute(
            "UPDATE volunteers_assignment SET reoffer_of_id = NULL WHERE reoffer_of_id = ANY(%s)",
            [ids],
        )
        cursor.execute("DELETE FROM volunteers_assignment WHERE id = ANY(%s)", [ids])
    live = Count("assignments", filter=Q(assignments__state__in=LIVE_ASSIGNMENT_STATES))
    for unit in Responder.objects.filter(pk__in=units).annotate(live=live):
        unit.load = unit.live
        if unit.live == 0 and unit.status != ResponderStatus.OFF_DUTY:
            unit.status = ResponderStatus.AVAILABLE
        unit.save(update_fields=["load", "status"])
    return len(ids)
