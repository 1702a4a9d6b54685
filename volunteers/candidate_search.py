"""The console's search of all candidates: any unit that may be sent to the matter, found by its
name, a skill or its home area (the township or village it serves), not only the top of the list.

Scoped as the responder layer of the map (``volunteers.access.visible_responders``): the units
whose home area nests with the dispatcher's jurisdiction, whose positions that dispatcher already
sees. Each row is a ``queries.Candidate`` like the list's, with its ETA by road where a network
is loaded, so the API gives the same fields and the same phone masking.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from gridmap.choices import ancestor_codes
from gridmap.scoping import user_area
from incidents.models import Category, Incident
from volunteers.models import Responder, stale_before
from volunteers.queries import responders_with_home
from volunteers.ranking import (
    DISPATCHABLE_FROM_WHERE,
    MATTER_POINT,
    Candidate,
    covering_area_ids,
    make_candidate,
    rank_key,
    unit_etas,
)

# The most units one search returns (the API's ``limit`` with ``q``): a search narrows by name;
# it is not a way to list the county.
MAX_SEARCH_RESULTS = 20
# Shortest search text: one Chinese character names little, two already a place or a surname.
MIN_QUERY_LENGTH = 1

# The dispatchable units (DISPATCHABLE_FROM_WHERE) of the dispatcher's jurisdiction whose name,
# home area, home township or one of whose skills contains the text, nearest first. Parameters:
# lon, lat, fresh, category, prefix, ancestors, text, limit.
_SEARCH_SQL = f"""
SELECT r.id, ST_Distance(r.position::geography, {MATTER_POINT}::geography), r.home_area_id,
       r.travel_mode, ST_X(r.position), ST_Y(r.position)
{DISPATCHABLE_FROM_WHERE}
  AND EXISTS (
    SELECT 1 FROM gridmap_area h
    LEFT JOIN gridmap_area t ON t.level = 'township' AND t.valid_to IS NULL
                            AND t.code = left(h.code, 9) || '000'
    WHERE h.id = r.home_area_id
      AND (h.code LIKE %(prefix)s OR h.code = ANY(%(ancestors)s))
      AND (r.name ILIKE %(text)s OR h.name ILIKE %(text)s OR t.name ILIKE %(text)s
           OR EXISTS (SELECT 1 FROM incidents_category c
                      WHERE c.id = ANY(r.skill_ids)
                        AND (c.name ILIKE %(text)s OR c.name_en ILIKE %(text)s))))
ORDER BY r.position <-> {MATTER_POINT}
LIMIT %(limit)s
"""

# Whether one unit is among those the search can find (any text). Parameters: fresh, category,
# prefix, ancestors, unit.
_SEARCHABLE_SQL = f"""
SELECT r.id {DISPATCHABLE_FROM_WHERE}
  AND r.id = %(unit)s
  AND EXISTS (SELECT 1 FROM gridmap_area h WHERE h.id = r.home_area_id
                AND (h.code LIKE %(prefix)s OR h.code = ANY(%(ancestors)s)))
"""


def _scope(user: object, now: dt.datetime | None) -> dict[str, object] | None:
    """The jurisdiction's parameters of the search, or None for a user without one."""
    area = user_area(user)
    if area is None:
        return None
    return {
        "fresh": stale_before(now),
        "prefix": area.code_prefix + "%",
        "ancestors": ancestor_codes(area.code, area.level),
    }


def searchable_unit(
    incident: Incident, *, user: object, responder_id: int, now: dt.datetime | None = None
) -> Responder | None:
    """The unit ``responder_id`` if the console's search can find it for ``user`` (one that may
    be sent to the matter now, of the user's jurisdiction), so its way may be drawn; else None."""
    scope = _scope(user, now)
    if scope is None:
        return None
    params = {**scope, "category": incident.category_id, "unit": responder_id}
    with connection.cursor() as cursor:
        cursor.execute(_SEARCHABLE_SQL, params)
        if cursor.fetchone() is None:
            return None
    return Responder.objects.only("id", "name", "position", "travel_mode").get(pk=responder_id)


def _like(text: str) -> str:
    """``text`` as an ILIKE pattern that matches it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_candidates(
    incident: Incident,
    *,
    user: object,
    text: str,
    limit: int = MAX_SEARCH_RESULTS,
    now: dt.datetime | None = None,
) -> list[Candidate]:
    """The units of ``user``'s jurisdiction that may be sent to ``incident`` now (available,
    fresh, under capacity, with the skill) and whose name, home area, home township or a skill
    contains ``text``; at most ``limit``, ranked as the candidate list ranks (by road where a
    network is loaded). Empty for a user without a jurisdiction or a blank text."""
    scope = _scope(user, now)
    text = text.strip()
    if scope is None or len(text) < MIN_QUERY_LENGTH:
        return []
    params = {
        **scope,
        "lon": incident.location.x,
        "lat": incident.location.y,
        "category": incident.category_id,
        "text": _like(text),
        "limit": min(limit, MAX_SEARCH_RESULTS),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SEARCH_SQL, params)
        window = cursor.fetchall()
    if not window:
        return []
    covering = set(covering_area_ids(incident))
    etas, by_road = unit_etas(
        params["lon"], params["lat"], [(pk, d, mode, x, y) for pk, d, _h, mode, x, y in window]
    )
    ranked = sorted(
        rank_key(etas[pk], pk, home in covering, by_road)
        for pk, _d, home, *_ in window
        if pk in etas
    )
    units = responders_with_home().order_by().in_bulk([pk for _r, _s, pk, _o in ranked])
    skill_ids = {pk for unit in units.values() for pk in unit.skill_ids}
    skills = list(Category.objects.filter(pk__in=skill_ids)) if skill_ids else []
    return [
        make_candidate(
            units[pk],
            etas[pk],
            own,
            [category for category in skills if category.pk in units[pk].skill_ids],
            by_road=by_road,
        )
        for _score, _then, pk, own in ranked
    ]
