"""Which demo matters were dispatched, to whom, and how each assignment went.

Histories follow each matter's own trail: the offer goes out while the matter is routed, a few
minutes before the center starts handling it; the unit accepts a second before that start (as
``volunteers.services`` does, accepting moves a routed matter to in_progress), sets off, arrives
after its travel time and reports done before the matter is resolved, transferred or given up.
About one offer in twelve is declined and one in thirty times out first; the next nearest free
unit is then offered at once (``reoffer_of``). Some assignments are cancelled on the way.

Open matters in progress get live assignments from the last hours (accepted, en route, on scene),
and the demo login ``responder`` gets one on its way and one fresh offer, so its phone page has
something to do. No unit ever holds more assignments than its capacity at any moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gridmap.choices import code_prefix, level_for_code
from gridmap.demo.reference import COUNTY_CODE
from incidents.choices import Action, DispatchStep, EventKind, IncidentKind, State
from incidents.demo.staff import Staff, center
from incidents.demo.texts import pick
from incidents.models import Incident, IncidentEvent
from roads.choices import STRAIGHT_LINE_SPEED_KMH
from volunteers.choices import AssignmentState, ResponderKind
from volunteers.demo import texts
from volunteers.demo.roster import RESPONDER_LOGIN, Stream, UnitSeed, rng_for
from volunteers.models import Assignment

MINUTE = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)
OFFER_TIMEOUT = 5 * MINUTE  # settings.DISPATCH_OFFER_TIMEOUT_MINUTES's default
# Of the disputes that reached handling, about 30 % go to mediators and committees, of the hazards
# about 20 % to squads. Drawn a little higher: some matters are handled before anyone could have
# arrived, and some hazards have no squad for them (food safety), so they are not dispatched.
DISPUTE_SHARE = 0.35
HAZARD_SHARE = 0.25
LIVE_SHARE = 0.6  # of the open matters in progress at a center
DECLINE_SHARE = 0.08
EXPIRE_SHARE = 0.03
CANCEL_SHARE = 0.05
COMMITTEE_SHARE = 0.35  # of the disputes of a committee's trade
COUNSELLOR_SHARE = 0.08
ROAD_FACTOR = 1.3  # roads are longer than the straight line
NEAREST_WEIGHTS = (0.7, 0.2, 0.1)  # who of the three nearest free units gets the offer
ON_SITE_MIN = {IncidentKind.DISPUTE: (25.0, 150.0), IncidentKind.HAZARD: (10.0, 90.0)}
_FOREVER = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass
class Trail:
    """What the dispatch needs of one demo matter, read from its trail."""

    pk: int
    kind: str
    category: str
    grid_code: str
    xy: tuple[float, float]  # EPSG:4544 metres
    state: str
    unit: str = ""  # handling unit code now
    routed_at: dt.datetime | None = None
    started_at: dt.datetime | None = None  # first start after the route
    start_unit: str = ""  # handling unit code at that start …
    unit_since: dt.datetime | None = None  # … and since when it had the matter
    handled_at: dt.datetime | None = None  # first transfer, resolve or fail after that start
    live_from: dt.datetime | None = None  # when it last entered in_progress

    def state_at(self, at: dt.datetime) -> str:
        """The state at ``at`` of a handled matter, between its route and its handling's end."""
        return State.ROUTED if at < self.started_at else State.IN_PROGRESS


@dataclass
class Planned:
    """One assignment as the demo plays it; ``unit`` indexes the roster."""

    trail: Trail
    unit: int
    assigned_by: str  # username
    distance_m: float
    offered_at: dt.datetime
    state: str = AssignmentState.OFFERED
    accepted_at: dt.datetime | None = None
    en_route_at: dt.datetime | None = None
    on_scene_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    decline_reason: str = ""
    outcome_note: str = ""
    cancel_note: str = ""
    reoffer_of: int | None = None  # index of the declined or expired offer in the plan
    arrives_at: dt.datetime | None = None  # planned arrival (where a unit en route is now)

    @property
    def live(self) -> bool:
        return self.state in (
            AssignmentState.OFFERED,
            AssignmentState.ACCEPTED,
            AssignmentState.EN_ROUTE,
            AssignmentState.ON_SCENE,
        )


@dataclass(frozen=True)
class Step:
    """One trail event of an assignment; ``by``: dispatcher, member or the system (None)."""

    at: dt.datetime
    action: str
    by: str | None
    note: str = ""


def steps(plan: Planned) -> list[Step]:
    """The assignment's events in order, as the services would have appended them."""
    first = DispatchStep.ASSIGN if plan.reoffer_of is None else DispatchStep.REOFFER
    events = [Step(plan.offered_at, first, "dispatcher" if plan.reoffer_of is None else None)]
    for at, action in (
        (plan.accepted_at, DispatchStep.ACCEPT),
        (plan.en_route_at, DispatchStep.EN_ROUTE),
        (plan.on_scene_at, DispatchStep.ARRIVE),
    ):
        if at is not None:
            events.append(Step(at, action, "member"))
    ending = {
        AssignmentState.DECLINED: (DispatchStep.DECLINE, "member", plan.decline_reason),
        AssignmentState.EXPIRED: (DispatchStep.EXPIRE, None, ""),
        AssignmentState.DONE: (DispatchStep.DONE, "member", plan.outcome_note),
        AssignmentState.CANCELLED: (DispatchStep.CANCEL, "dispatcher", plan.cancel_note),
    }
    if plan.state in ending:
        action, by, note = ending[plan.state]
        events.append(Step(plan.finished_at, action, by, note))
    return events


def states(plan: Planned, step: Step) -> tuple[str, str]:
    """The matter's state before and after ``step`` (accepting a routed matter starts it)."""
    # A live assignment's steps are the matter's latest events: it is in its state of now.
    before = plan.trail.state if plan.live else plan.trail.state_at(step.at)
    starts = step.action == DispatchStep.ACCEPT and before == State.ROUTED
    return before, State.IN_PROGRESS if starts else before


# --- reading the matters -------------------------------------------------------------------------


def read_trails(to_metric: Callable) -> list[Trail]:
    """Every synthetic dispute and hazard without assignments, with the moments dispatch needs."""
    taken = set(Assignment.objects.values_list("incident_id", flat=True).distinct())
    rows = (
        Incident.objects.filter(
            synthetic=True, kind__in=[IncidentKind.DISPUTE, IncidentKind.HAZARD]
        )
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", "kind", "category__code", "grid__code", "location", "state")
    )
    trails = {}
    points = []
    for pk, kind, category, grid_code, location, state in rows:
        trails[pk] = Trail(pk, kind, category, grid_code, (0.0, 0.0), state)
        points.append((location.x, location.y))
    if not trails:
        return []
    xs, ys = to_metric(*np.array(points).T)
    for trail, x, y in zip(trails.values(), xs, ys, strict=True):
        trail.xy = (float(x), float(y))
    events = (
        IncidentEvent.objects.filter(
            incident_id__in=list(trails),
            kind__in=[EventKind.INTAKE, EventKind.TRANSITION, EventKind.ESCALATE],
        )
        .order_by("incident_id", "at", "pk")
        .values_list("incident_id", "at", "kind", "action", "data")
    )
    for pk, at, kind, action, data in events:
        _read_event(trails[pk], at, kind, action, data)
    return list(trails.values())


def _read_event(trail: Trail, at: dt.datetime, kind: str, action: str, data: dict) -> None:
    if kind == EventKind.INTAKE:
        trail.unit, trail.unit_since = data.get("handling_unit", ""), at
    elif kind == EventKind.ESCALATE or action in (Action.ROUTE, Action.TRANSFER):
        trail.unit, trail.unit_since = data.get("to_unit", trail.unit), at
    if action == Action.ROUTE and trail.routed_at is None:
        trail.routed_at = at
    elif action == Action.START and trail.routed_at and trail.started_at is None:
        trail.started_at, trail.start_unit = at, trail.unit
    elif action in (Action.TRANSFER, Action.RESOLVE, Action.FAIL) and trail.handled_at is None:
        trail.handled_at = at if trail.started_at else None
    if action in (Action.START, Action.REOPEN):
        trail.live_from = at


# --- the units -----------------------------------------------------------------------------------


class Units:
    """The roster as arrays, with each unit's busy intervals (for capacity over time)."""

    def __init__(self, roster: list[UnitSeed], to_metric: Callable) -> None:
        self.roster = roster
        xs, ys = to_metric(*np.array([unit.base for unit in roster]).T)
        self.xy = np.column_stack([xs, ys])
        self.prefixes = [code_prefix(u.home_code, level_for_code(u.home_code)) for u in roster]
        self.busy: list[list[tuple[dt.datetime, dt.datetime]]] = [[] for _ in roster]
        self.demo = next(i for i, unit in enumerate(roster) if unit.username == RESPONDER_LOGIN)

    def distance_m(self, unit: int, trail: Trail) -> float:
        return float(np.hypot(*(self.xy[unit] - np.array(trail.xy))))

    def eligible(self, trail: Trail, kinds: tuple[str, ...]) -> list[int]:
        """Units of ``kinds`` with the skill that serve the matter's grid, nearest first."""
        found = [
            index
            for index, unit in enumerate(self.roster)
            if unit.kind in kinds
            and trail.category in unit.skills
            and trail.grid_code.startswith(self.prefixes[index])
        ]
        return sorted(found, key=lambda index: (self.distance_m(index, trail), index))

    def free(self, unit: int, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether the unit can take one more assignment for the whole of [start, end]."""
        overlapping = sum(1 for s, e in self.busy[unit] if s < end and e > start)
        return overlapping < self.roster[unit].capacity

    def hold(self, plan: Planned) -> None:
        end = _FOREVER if plan.live else plan.finished_at
        self.busy[plan.unit].append((plan.offered_at, end))


# --- planning ------------------------------------------------------------------------------------


@dataclass
class Planner:
    """Plays the dispatches of the demo matters; ``plans`` is the result, in creation order."""

    units: Units
    now: dt.datetime
    seed: int
    dispatchers: Callable[[str], str]  # handling unit code → the username who assigns for it
    plans: list[Planned] = field(default_factory=list)

    def run(self, trails: list[Trail]) -> list[Planned]:
        """The demo login's live assignments first, then other live ones, then the histories."""
        self._demo_login(trails, rng_for(self.seed, Stream.DISPATCH, 1))
        rng = rng_for(self.seed, Stream.DISPATCH, 2)
        dispatched = {plan.trail.pk for plan in self.plans}
        for trail in trails:
            wanted = trail.pk not in dispatched and _in_progress_at_center(trail)
            if wanted and rng.random() < LIVE_SHARE:
                self._live(trail, rng)
        rng = rng_for(self.seed, Stream.DISPATCH, 3)
        history = [t for t in trails if t.pk not in dispatched and _handled_at_center(t)]
        history.sort(key=lambda t: (t.started_at, t.pk))
        share = {IncidentKind.DISPUTE: DISPUTE_SHARE, IncidentKind.HAZARD: HAZARD_SHARE}
        for trail in history:
            if rng.random() < share[trail.kind]:
                self._history(trail, rng)
        return self.plans

    # -- choosing a unit -------------------------------------------------------------------------

    def pool(self, trail: Trail, rng: np.random.Generator) -> list[int]:
        """The units that may get the matter, nearest first (committees and counsellors by turn)."""
        if trail.kind == IncidentKind.HAZARD:
            return self.units.eligible(trail, (ResponderKind.SQUAD,))
        for kind, share in (
            (ResponderKind.COMMITTEE, COMMITTEE_SHARE),
            (ResponderKind.COUNSELLOR, COUNSELLOR_SHARE),
        ):
            found = self.units.eligible(trail, (kind,))
            if found and rng.random() < share:
                return found
        return self.units.eligible(trail, (ResponderKind.MEDIATOR,))

    def choose(
        self,
        pool: list[int],
        rng: np.random.Generator,
        start: dt.datetime,
        end: dt.datetime,
        passed_over: tuple[int, ...] = (),
    ) -> int | None:
        """One of the three nearest units free over [start, end], the nearest most often."""
        free = [u for u in pool if u not in passed_over and self.units.free(u, start, end)][:3]
        if not free:
            return None
        weights = np.array(NEAREST_WEIGHTS[: len(free)])
        return free[int(rng.choice(len(free), p=weights / weights.sum()))]

    def add(self, plan: Planned) -> int:
        self.plans.append(plan)
        self.units.hold(plan)
        return len(self.plans) - 1

    def new(self, trail: Trail, unit: int, at: dt.datetime, unit_code: str) -> Planned:
        return Planned(
            trail=trail,
            unit=unit,
            assigned_by=self.dispatchers(unit_code),
            distance_m=self.units.distance_m(unit, trail),
            offered_at=at,
        )

    def travel(self, plan: Planned, rng: np.random.Generator) -> dt.timedelta:
        mode = self.units.roster[plan.unit].travel_mode
        hours = plan.distance_m * ROAD_FACTOR / 1000.0 / STRAIGHT_LINE_SPEED_KMH[mode]
        return dt.timedelta(hours=hours) + MINUTE * rng.uniform(1.0, 4.0)

    # -- histories -------------------------------------------------------------------------------

    def _history(self, trail: Trail, rng: np.random.Generator) -> None:
        """A finished assignment (done or cancelled), maybe after a declined or expired offer."""
        accepted = trail.started_at - SECOND
        offered = accepted - MINUTE * rng.uniform(1.0, 5.0)
        earliest = max(trail.routed_at, trail.unit_since) + MINUTE
        pool = self.pool(trail, rng)
        if offered < earliest or not pool:
            return
        plan = self._played(trail, rng, pool, offered, accepted)
        if plan is None:
            return
        first = self._turned_down(trail, rng, pool, offered, earliest, plan.unit)
        if first is not None:
            plan.reoffer_of = self.add(first)
            plan.assigned_by = first.assigned_by
        self.add(plan)

    def _played(
        self,
        trail: Trail,
        rng: np.random.Generator,
        pool: list[int],
        offered: dt.datetime,
        accepted: dt.datetime,
    ) -> Planned | None:
        budget = trail.handled_at - MINUTE
        unit = self.choose(pool, rng, offered, budget)
        if unit is None:
            return None
        plan = self.new(trail, unit, offered, trail.start_unit)
        plan.accepted_at = accepted
        plan.en_route_at = accepted + MINUTE * rng.uniform(0.5, 6.0)
        arrives = plan.en_route_at + self.travel(plan, rng)
        if arrives >= budget - 5 * MINUTE:
            return None  # handled before anyone could have been there
        if rng.random() < CANCEL_SHARE:
            plan.state = AssignmentState.CANCELLED
            plan.finished_at = plan.en_route_at + (arrives - plan.en_route_at) * rng.uniform(
                0.2, 0.8
            )
            plan.cancel_note = pick(rng, texts.CANCEL_NOTES)
            return plan
        plan.on_scene_at = arrives
        low, high = ON_SITE_MIN[trail.kind]
        on_site = MINUTE * rng.uniform(low, high)
        plan.state = AssignmentState.DONE
        plan.finished_at = arrives + min(on_site, (budget - arrives) * rng.uniform(0.5, 0.9))
        plan.outcome_note = pick(rng, texts.OUTCOMES[trail.kind])
        return plan

    def _turned_down(
        self,
        trail: Trail,
        rng: np.random.Generator,
        pool: list[int],
        reoffered: dt.datetime,
        earliest: dt.datetime,
        taker: int,
    ) -> Planned | None:
        """The declined or expired offer before the one accepted at ``reoffered``, or None."""
        draw = rng.random()
        if draw < DECLINE_SHARE:
            state, waited = AssignmentState.DECLINED, MINUTE * rng.uniform(1.0, 4.0)
        elif draw < DECLINE_SHARE + EXPIRE_SHARE:
            state, waited = AssignmentState.EXPIRED, OFFER_TIMEOUT + MINUTE * rng.random()
        else:
            return None
        offered = reoffered - waited
        unit = self.choose(pool, rng, offered, reoffered, passed_over=(taker,))
        if unit is None or offered < earliest:
            return None
        plan = self.new(trail, unit, offered, trail.start_unit)
        plan.state, plan.finished_at = state, reoffered
        if state == AssignmentState.DECLINED:
            plan.decline_reason = pick(rng, texts.DECLINE_REASONS)
        return plan

    # -- live ------------------------------------------------------------------------------------

    def _live(self, trail: Trail, rng: np.random.Generator) -> None:
        """An assignment of the last hours on an open matter: accepted, en route or on scene."""
        pool = self.pool(trail, rng)
        offered = max(
            trail.live_from + MINUTE * rng.uniform(3.0, 20.0),
            self.now - MINUTE * rng.uniform(5.0, 100.0),
        )
        accepted = offered + MINUTE * rng.uniform(1.0, 5.0)
        unit = self.choose(pool, rng, offered, _FOREVER)
        if unit is None or accepted > self.now:
            return
        plan = self.new(trail, unit, offered, trail.unit)
        plan.state, plan.accepted_at = AssignmentState.ACCEPTED, accepted
        # Most set off at once; some have agreed to come a little later.
        wait = rng.uniform(0.5, 5.0) if rng.random() < 0.7 else rng.uniform(10.0, 40.0)
        en_route = accepted + MINUTE * wait
        if en_route <= self.now:
            plan.state, plan.en_route_at = AssignmentState.EN_ROUTE, en_route
            plan.arrives_at = en_route + self.travel(plan, rng)
            if plan.arrives_at <= self.now:
                plan.state, plan.on_scene_at = AssignmentState.ON_SCENE, plan.arrives_at
        self.add(plan)

    def _demo_login(self, trails: list[Trail], rng: np.random.Generator) -> None:
        """The demo login's unit: one assignment on its way and one fresh offer."""
        demo = self.units.demo
        skills = self.units.roster[demo].skills
        recent = self.now - 10 * MINUTE
        open_ = [t for t in trails if t.category in skills and _open_at_center(t)]
        on_way = [t for t in open_ if t.state == State.IN_PROGRESS and t.live_from < recent]
        if on_way:
            trail = min(on_way, key=lambda t: (t.unit != f"center-{COUNTY_CODE}", t.pk))
            accepted = max(self.now - MINUTE * rng.uniform(6.0, 9.0), trail.live_from + MINUTE)
            plan = self.new(trail, demo, accepted - 2 * MINUTE, trail.unit)
            plan.state, plan.accepted_at = AssignmentState.EN_ROUTE, accepted
            plan.en_route_at = accepted + (self.now - accepted) / 3
            # On its way whatever the distance: arriving is the phone user's to report.
            plan.arrives_at = self.now + (self.now - plan.en_route_at) + self.travel(plan, rng)
            self.add(plan)
        # A routed matter if there is one: accepting it starts its handling.
        taken = {plan.trail.pk for plan in self.plans}
        offers = sorted(
            (t for t in open_ if t.pk not in taken and (t.live_from or t.routed_at) < recent),
            key=lambda t: (t.state != State.ROUTED, t.pk),
        )
        if offers:
            trail = offers[0]
            self.add(self.new(trail, demo, self.now - MINUTE, trail.unit))


def _open_at_center(trail: Trail) -> bool:
    return trail.state in (State.ROUTED, State.IN_PROGRESS) and trail.unit.startswith("center-")


def _in_progress_at_center(trail: Trail) -> bool:
    return (
        trail.state == State.IN_PROGRESS
        and trail.unit.startswith("center-")
        and trail.live_from is not None
    )


def _handled_at_center(trail: Trail) -> bool:
    return (
        trail.handled_at is not None
        and trail.routed_at is not None
        and trail.start_unit.startswith("center-")
    )


def dispatcher_of(staff: Staff) -> Callable[[str], str]:
    """For a handling unit's code, the demo user who assigns for it (its center's dispatcher)."""

    def who(unit_code: str) -> str:
        return staff.dispatcher(center(unit_code.removeprefix("center-")))

    return who
