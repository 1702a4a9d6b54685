"""bench/routing.py, section "first-choice": over the demo's year of matters, how often the first
choice by road ETA differs from the first choice by straight line, and the minutes it saves.

For each dispatched demo matter (one with an assignment), the window candidates() would rank —
the 20 units nearest in a straight line among the active units with the matter's category and a
position (the demo units' stored positions; load and freshness left aside, as a year of
positions is not kept) — is ranked twice with the same rules as volunteers.queries: by
``score_m`` (straight line, DISPATCH_HOME_PREFERENCE_M) and by ``score_minutes`` (ETA by road,
DISPATCH_HOME_PREFERENCE_MINUTES). Minutes saved: the road ETA of the straight-line choice less
the road ETA of the road choice, where the two differ. Needs the demo's roads: a lattice made by
the bench says nothing about the county.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection

from bench.routes.common import BENCH_NETWORK, say
from roads.queries import active_network
from roads.travel import EtaSource, Traveller, travel_times
from volunteers.queries import score_m, score_minutes

WINDOW = 20
_MATTERS_SQL = """
SELECT i.id, ST_X(i.location), ST_Y(i.location), i.category_id,
       i.county_id, i.township_id, i.village_id, i.grid_id
FROM incidents_incident i
WHERE EXISTS (SELECT 1 FROM volunteers_assignment a WHERE a.incident_id = i.id)
ORDER BY i.id
"""
_WINDOW_SQL = """
SELECT r.id, ST_Distance(r.position::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s),
       4326)::geography), r.travel_mode, ST_X(r.position), ST_Y(r.position), r.home_area_id
FROM volunteers_responder r
WHERE r.active AND r.position IS NOT NULL AND %(category)s = ANY(r.skill_ids)
ORDER BY r.position <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)
LIMIT %(window)s
"""


def bench_first_choice(args) -> None:
    network = active_network()
    if network is None or network.name == BENCH_NETWORK:
        say("\n== First choice by road vs straight line: not run — no demo roads loaded ==")
        return
    with connection.cursor() as cursor:
        cursor.execute(_MATTERS_SQL)
        matters = cursor.fetchall()
    if args.sample and len(matters) > args.sample:
        step = len(matters) / args.sample
        matters = [matters[int(k * step)] for k in range(args.sample)]
    differ, saved, compared, road_share = 0, [], 0, []
    started = time.perf_counter()
    for _pk, lon, lat, category, *chain in matters:
        with connection.cursor() as cursor:
            params = {"lon": lon, "lat": lat, "category": category, "window": WINDOW}
            cursor.execute(_WINDOW_SQL, params)
            window = cursor.fetchall()
        if len(window) < 2:
            continue
        covering = {area for area in chain if area is not None}
        units = [Traveller(u, x, y, mode, metres) for u, metres, mode, x, y, _h in window]
        etas = travel_times((lon, lat), units, network=network)
        own = {u: home in covering for u, *_rest, home in window}
        by_line = min(
            etas, key=lambda u: (score_m(etas[u].distance_m, own[u]), etas[u].distance_m, u)
        )
        by_road = min(
            etas, key=lambda u: (score_minutes(etas[u].minutes, own[u]), etas[u].seconds, u)
        )
        compared += 1
        road_share.append(etas[by_road].source == EtaSource.ROAD)
        if by_line != by_road:
            differ += 1
            saved.append(etas[by_line].minutes - etas[by_road].minutes)
    elapsed = time.perf_counter() - started
    say(f"\n== First choice by road vs straight line, {compared:,} dispatched demo matters ==")
    if not compared:
        say("No dispatched matter with two or more units in its window.")
        return
    say(
        f"road first choice differs from the straight-line one for {differ:,} matters "
        f"({differ / compared:.1%}); minutes saved where it differs: median "
        f"{statistics.median(saved) if saved else 0:.1f}, mean "
        f"{statistics.fmean(saved) if saved else 0:.1f}, max {max(saved, default=0):.1f}; "
        f"road choice routed by road {sum(road_share) / compared:.1%}; {elapsed:.1f} s"
    )  # fmt: skip
