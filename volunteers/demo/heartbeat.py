"""The demo's phones: synthetic units that share their location report it again, as phones do.

Without it every demo position would be stale (and no unit a candidate) 30 minutes after
loading. Units that do not share their location (``roster.is_silent``) and off-duty units keep
their old position, so the demo still shows stale units.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from volunteers.demo.roster import is_silent
from volunteers.models import Responder

# How far an idle demo unit wanders from its base between two reports (metres).
IDLE_STRAY_M = 300.0

# Units with live assignments stay where their matter put them; idle ones move around their base.
_REPORT_SQL = """
UPDATE volunteers_responder r
   SET position_at = %(now)s,
       position = CASE WHEN r.load = 0 AND r.base IS NOT NULL
                       THEN ST_Project(r.base::geography, random() * %(stray)s,
                                       random() * 2 * pi())::geometry
                       ELSE r.position END
 WHERE r.id = ANY(%(ids)s) AND r.active AND r.status <> 'off_duty'
"""


def report_demo_positions(*, now: dt.datetime | None = None) -> int:
    """Stamp the sharing synthetic units' positions with ``now``; how many reported."""
    sharing = [
        pk
        for pk, phone in Responder.objects.filter(synthetic=True).values_list("pk", "phone")
        if not is_silent(phone)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _REPORT_SQL, {"now": now or timezone.now(), "stray": IDLE_STRAY_M, "ids": sharing}
        )
        return cursor.rowcount
