"""Write the demo's responders, squads and volunteers, and the dispatches of the demo matters.

One transaction, bulk inserts (the services would stamp every step with the current time). The
units' load and status are written from their live assignments, so they agree from the start.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from accounts.choices import Role
from gridmap.models import Area
from incidents.choices import DispatchStep, EventKind
from incidents.demo.grids import GridTable, load_grids
from incidents.demo.load import (
    _TRIGGER_OFF,
    _TRIGGER_ON,
    DEFAULT_SEED,
    EVENT_FIELDS,
    DemoIncidentsError,
    check_demo_county,
    copy_rows,
    ensure_users,
)
from incidents.demo.roads import to_metric, to_wgs84
from incidents.demo.staff import Staff, UserSpec
from incidents.models import Category, IncidentEvent
from volunteers.choices import ResponderStatus, TravelMode
from volunteers.demo.dispatch import (
    Planned,
    Planner,
    Units,
    dispatcher_of,
    read_trails,
    states,
    steps,
)
from volunteers.demo.roster import (
    RESPONDER_LOGIN,
    Stream,
    UnitSeed,
    near,
    plan_roster,
    rng_for,
)
from volunteers.models import WGS84, Assignment, Responder, Volunteer
from volunteers.services import STATUS_BY_PROGRESS

__all__ = ["DEFAULT_SEED", "DemoResponderError", "demo_responders", "load_demo_responders"]

# How far a unit without an assignment strays from its base (metres, one standard deviation).
STRAY_M = {TravelMode.WALK: 300.0, TravelMode.BIKE: 700.0, TravelMode.CAR: 1_200.0}
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


class DemoResponderError(Exception):
    """The demo responders cannot be loaded (or replaced); the message says why."""


@dataclass
class LoadResult:
    """What load_demo_responders wrote, and how long each step took (seconds)."""

    units: int = 0
    volunteers: int = 0
    assignments: int = 0
    live: int = 0
    matters: int = 0
    events: int = 0
    users_created: int = 0
    deleted: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def demo_responders() -> int:
    """How many synthetic responders are loaded."""
    return Responder.objects.filter(synthetic=True).count()


def load_demo_responders(
    *,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    replace: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Plan the units and the dispatches of the loaded demo matters up to ``now``; write them."""
    try:
        check_demo_county()
    except DemoIncidentsError as error:
        raise DemoResponderError(str(error)) from None
    now = now or timezone.now()
    started = time.perf_counter()
    result = LoadResult()
    grids = load_grids()
    roster = plan_roster(grids, seed=seed)
    with transaction.atomic():
        if replace:
            result.deleted = delete_synthetic_responders()
            progress(_("Removed %(count)d synthetic responders.") % {"count": result.deleted})
        unit_users, result.users_created = _accounts(roster)
        plans = Planner(
            units=Units(roster, to_metric),
            now=now,
            seed=seed,
            dispatchers=dispatcher_of(Staff(townships={}, seed=seed)),
        ).run(read_trails(to_metric))
        result.timings["plan"] = time.perf_counter() - started
        progress(
            _("Planned %(units)d units and %(assignments)s assignments in %(s).1f s.")
            % {
                "units": len(roster),
                "assignments": f"{len(plans):,}",
                "s": result.timings["plan"],
            }
        )
        assigners = {plan.assigned_by for plan in plans}
        user_ids = unit_users | dict(
            get_user_model().objects.filter(username__in=assigners).values_list("username", "id")
        )
        unit_ids = _write_units(roster, plans, grids, user_ids, now, seed)
        _write_assignments(plans, unit_ids, user_ids, roster, result)
        with connection.cursor() as cursor:
            # Fresh statistics for the dispatch queries on the just-filled tables.
            cursor.execute(
                "ANALYZE volunteers_responder, volunteers_responder_skills,"
                " volunteers_responder_members, volunteers_volunteer, volunteers_assignment,"
                " incidents_incidentevent"
            )
    result.units = len(roster)
    result.volunteers = sum(len(unit.volunteers) for unit in roster)
    result.timings["total"] = time.perf_counter() - started
    return result


# --- deleting ------------------------------------------------------------------------------------


def delete_synthetic_responders() -> int:
    """Remove the synthetic units with their volunteers, assignments and those trail events.

    Real units stay, and so do the accounts (trail events of other matters may name them).
    """
    if Assignment.objects.filter(responder__synthetic=True, incident__synthetic=False).exists():
        raise DemoResponderError(
            _(
                "Real matters have assignments to demo responders; cancel or reassign them "
                "before replacing the demo responders."
            )
        )
    assignments = list(
        Assignment.objects.filter(responder__synthetic=True).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_TRIGGER_OFF)
        cursor.execute(
            "DELETE FROM incidents_incidentevent e USING incidents_incident i"
            " WHERE e.incident_id = i.id AND i.synthetic AND e.kind = %s"
            " AND ((e.data ->> 'assignment')::bigint = ANY(%s)"
            "      OR (e.data ->> 'reoffer_of')::bigint = ANY(%s))",
            [EventKind.ASSIGNMENT, assignments, assignments],
        )
        cursor.execute(_TRIGGER_ON)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # One statement: re-offers point at the offers they replaced (a protected self-link).
        cursor.execute(
            "UPDATE volunteers_assignment SET reoffer_of_id = NULL WHERE reoffer_of_id = ANY(%s)",
            [assignments],
        )
        cursor.execute("DELETE FROM volunteers_assignment WHERE id = ANY(%s)", [assignments])
    units = Responder.objects.filter(synthetic=True)
    count = units.count()
    units.delete()
    return count


# --- accounts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Accounts:
    """The users the demo units act through (what ensure_users reads)."""

    users: dict[str, UserSpec]


def _accounts(roster: list[UnitSeed]) -> tuple[dict[str, int], int]:
    """Ids of the units' accounts (synthetic ones created without a usable password)."""
    specs = {
        unit.username: UserSpec(
            unit.username,
            Role.RESPONDER,
            unit.home_code,
            unit.account_name,
            unit.phone,
            synthetic=unit.username != RESPONDER_LOGIN,
        )
        for unit in roster
    }
    try:
        return ensure_users(_Accounts(specs))  # type: ignore[arg-type]
    except DemoIncidentsError as error:
        raise DemoResponderError(str(error)) from None


# --- writing -------------------------------------------------------------------------------------


def _write_units(
    roster: list[UnitSeed],
    plans: list[Planned],
    grids: GridTable,
    user_ids: dict[str, int],
    now: dt.datetime,
    seed: int,
) -> list[int]:
    """Insert the units, their skills, members and volunteers; the units' ids in roster order."""
    live: dict[int, list[Planned]] = {}
    for plan in plans:
        if plan.live:
            live.setdefault(plan.unit, []).append(plan)
    rng = rng_for(seed, Stream.POSITIONS)
    codes = {unit.home_code for unit in roster}
    areas = dict(Area.objects.current().filter(code__in=codes).values_list("code", "id"))
    rows = []
    for index, unit in enumerate(roster):
        mine = live.get(index, [])
        (lon, lat), at = _position(unit, mine, grids, now, rng)
        rows.append(
            Responder(
                name=unit.name,
                kind=unit.kind,
                home_area_id=areas[unit.home_code],
                capacity=unit.capacity,
                load=len(mine),
                status=_status(unit, mine),
                position=Point(lon, lat, srid=WGS84),
                position_at=at,
                position_accuracy_m=round(float(rng.uniform(5.0, 35.0)), 1),
                base=Point(*unit.base, srid=WGS84),
                travel_mode=unit.travel_mode,
                phone=unit.phone,
                synthetic=True,
            )
        )
    Responder.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    categories = dict(Category.objects.values_list("code", "id"))
    Responder.skills.through.objects.bulk_create(
        Responder.skills.through(responder_id=pk, category_id=categories[code])
        for pk, unit in zip(ids, roster, strict=True)
        for code in unit.skills
    )
    Responder.members.through.objects.bulk_create(
        Responder.members.through(responder_id=pk, user_id=user_ids[unit.username])
        for pk, unit in zip(ids, roster, strict=True)
    )
    Volunteer.objects.bulk_create(
        Volunteer(
            squad_id=pk,
            name=person.name,
            phone=person.phone,
            is_leader=person.is_leader,
            user_id=user_ids[unit.username] if person.is_leader else None,
            synthetic=True,
        )
        for pk, unit in zip(ids, roster, strict=True)
        for person in unit.volunteers
    )
    return ids


def _status(unit: UnitSeed, live: list[Planned]) -> str:
    """Off duty as drawn; otherwise the furthest step of its live assignments (or available)."""
    if unit.off_duty:
        return ResponderStatus.OFF_DUTY
    states_now = {plan.state for plan in live}
    return next(
        (status for state, status in STATUS_BY_PROGRESS if state in states_now),
        ResponderStatus.AVAILABLE,
    )


def _position(
    unit: UnitSeed,
    live: list[Planned],
    grids: GridTable,
    now: dt.datetime,
    rng: np.random.Generator,
) -> tuple[tuple[float, float], dt.datetime]:
    """Where the unit is now and since when: near its matter or on the way, else near its base."""
    if live:
        furthest = max(live, key=lambda plan: plan.accepted_at or plan.offered_at)
        return _on_duty_at(furthest, unit, grids, now, rng), now - MINUTE * rng.uniform(0.1, 2.0)
    point = near(rng, grids, unit.base, STRAY_M[unit.travel_mode])
    if unit.off_duty:
        return point, now - HOUR * rng.uniform(3.0, 40.0)
    if unit.silent:
        return point, now - HOUR * rng.uniform(2.0, 20.0)
    return point, now - MINUTE * rng.uniform(0.2, 9.0)


def _on_duty_at(
    plan: Planned, unit: UnitSeed, grids: GridTable, now: dt.datetime, rng: np.random.Generator
) -> tuple[float, float]:
    lon, lat = (float(v[0]) for v in to_wgs84(*([c] for c in plan.trail.xy)))
    if plan.on_scene_at is not None:
        return near(rng, grids, (lon, lat), 25.0)
    if plan.en_route_at is None:
        return near(rng, grids, unit.base, 150.0)
    # Along the straight line from the base, as far as the time on the way says.
    share = (now - plan.en_route_at) / (plan.arrives_at - plan.en_route_at)
    share = min(max(share, 0.1), 0.9)
    base_x, base_y = to_metric([unit.base[0]], [unit.base[1]])
    x = base_x[0] + (plan.trail.xy[0] - base_x[0]) * share
    y = base_y[0] + (plan.trail.xy[1] - base_y[0]) * share
    xs, ys = to_wgs84([x], [y])
    inside = grids.locate(np.asarray(xs), np.asarray(ys))[0] >= 0
    return (float(xs[0]), float(ys[0])) if inside else (lon, lat)


def _write_assignments(
    plans: list[Planned],
    unit_ids: list[int],
    user_ids: dict[str, int],
    roster: list[UnitSeed],
    result: LoadResult,
) -> None:
    """Insert the assignments (offers before the re-offers that point at them) and their events."""
    rows = [_assignment(plan, unit_ids, user_ids) for plan in plans]
    firsts = [row for row, plan in zip(rows, plans, strict=True) if plan.reoffer_of is None]
    Assignment.objects.bulk_create(firsts)
    reoffers = []
    for row, plan in zip(rows, plans, strict=True):
        if plan.reoffer_of is not None:
            row.reoffer_of_id = rows[plan.reoffer_of].pk
            reoffers.append(row)
    Assignment.objects.bulk_create(reoffers)
    events = []
    for order, (row, plan) in enumerate(zip(rows, plans, strict=True)):
        actors = {
            "dispatcher": user_ids.get(plan.assigned_by),
            "member": user_ids[roster[plan.unit].username],
            None: None,
        }
        for step in steps(plan):
            data = {"responder": row.responder_id, "assignment": row.pk}
            if step.action in (DispatchStep.ASSIGN, DispatchStep.REOFFER):
                data["distance_m"] = round(plan.distance_m, 1)
            if step.action == DispatchStep.REOFFER:
                data["reoffer_of"] = row.reoffer_of_id
            before, after = states(plan, step)
            events.append(
                (
                    (plan.trail.pk, step.at, order),
                    (plan.trail.pk, step.at, actors[step.by], EventKind.ASSIGNMENT, step.action,
                     before, after, step.note, Jsonb(data)),
                )
            )  # fmt: skip
    events.sort(key=lambda pair: pair[0])
    copy_rows(IncidentEvent, EVENT_FIELDS, [row for _key, row in events])
    result.assignments, result.events = len(rows), len(events)
    result.live = sum(plan.live for plan in plans)
    result.matters = len({plan.trail.pk for plan in plans})


def _assignment(plan: Planned, unit_ids: list[int], user_ids: dict[str, int]) -> Assignment:
    return Assignment(
        incident_id=plan.trail.pk,
        responder_id=unit_ids[plan.unit],
        state=plan.state,
        assigned_by_id=user_ids.get(plan.assigned_by),
        distance_m=round(plan.distance_m, 1),
        offered_at=plan.offered_at,
        accepted_at=plan.accepted_at,
        en_route_at=plan.en_route_at,
        on_scene_at=plan.on_scene_at,
        finished_at=plan.finished_at,
        decline_reason=plan.decline_reason,
        outcome_note=plan.outcome_note,
    )
