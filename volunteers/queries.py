"""Read paths of dispatch: stale positions and the nearest suitable, free candidates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from incidents.models import Incident
from volunteers.choices import TRAVEL_SPEED_KMH
from volunteers.models import Responder, stale_before

# How many units KNN fetches per wanted candidate before metres and preferences decide.
KNN_WINDOW_FACTOR = 4


@dataclass(frozen=True)
class Candidate:
    """A unit that may be sent, where it ranks and why."""

    responder: Responder
    distance_m: float
    eta_min: float
    in_jurisdiction: bool
    score_m: float
    reasons: list[str] = field(default_factory=list)


# The units that may be sent to a matter at (lon, lat) of a category: active, on duty, under
# capacity, with a fresh position and the skill. Shared by the candidate list and "nearest
# available" (which adds its jurisdiction test); the skill test is a semi-join so the KNN index
# scan stays ordered. Parameters: lon, lat, fresh, category.
DISPATCHABLE_FROM_WHERE = """
    FROM volunteers_responder r, pt
    WHERE r.active AND r.status <> 'off_duty' AND r.load < r.capacity
      AND r.position IS NOT NULL AND r.position_at >= %(fresh)s
      AND EXISTS (SELECT 1 FROM volunteers_responder_skills s
                  WHERE s.responder_id = r.id AND s.category_id = %(category)s)
"""
MATTER_POINT = "WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom)"

# Nearest first by KNN (<->) on the partial GiST index in degrees; the materialised window is then
# measured in metres on the geography.
_CANDIDATES_SQL = (
    MATTER_POINT
    + ", window_ AS MATERIALIZED (SELECT r.id, r.position"
    + DISPATCHABLE_FROM_WHERE
    + """    ORDER BY r.position <-> pt.geom
    LIMIT %(window)s
)
SELECT w.id, ST_Distance(w.position::geography, pt.geom::geography)
FROM window_ w, pt
"""
)


def candidates(incident: Incident, *, limit: int = 5, now: dt.datetime | None = None) -> list:
    """The top ``limit`` units for a matter: available, fresh, under capacity, with the skill.

    Ranked by distance in metres, a unit whose home area covers the matter counting as
    DISPATCH_HOME_PREFERENCE_M closer (the documented preference for the matter's own
    jurisdiction when distances are close).
    """
    params = {
        "lon": incident.location.x,
        "lat": incident.location.y,
        "fresh": stale_before(now),
        "category": incident.category_id,
        "window": limit * KNN_WINDOW_FACTOR,
    }
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, params)
        distances = dict(cursor.fetchall())
    units = Responder.objects.filter(pk__in=distances).select_related("home_area")
    ranked = [_rank(unit, distances[unit.pk], incident) for unit in units]
    ranked.sort(key=lambda c: (c.score_m, c.distance_m, c.responder.pk))
    return ranked[:limit]


def covers(responder: Responder, incident: Incident) -> bool:
    """Whether the unit's home area is the matter's grid or one of its ancestors."""
    return incident.grid.code.startswith(responder.home_area.code_prefix)


def _rank(unit: Responder, distance_m: float, incident: Incident) -> Candidate:
    own = covers(unit, incident)
    bonus = settings.DISPATCH_HOME_PREFERENCE_M if own else 0.0
    eta = distance_m / 1000 / TRAVEL_SPEED_KMH[unit.travel_mode] * 60
    reasons = [
        _("%(metres)s m away") % {"metres": f"{distance_m:,.0f}"},
        _("about %(minutes).0f min (%(mode)s)")
        % {"minutes": eta, "mode": unit.get_travel_mode_display()},
        _("%(load)d of %(capacity)d assignments") % {"load": unit.load, "capacity": unit.capacity},
    ]
    if own:
        reasons.append(
            _("serves %(area)s: ranked as %(bonus).0f m closer")
            % {"area": unit.home_area.name, "bonus": bonus}
        )
    return Candidate(unit, distance_m, eta, own, max(distance_m - bonus, 0.0), reasons)
