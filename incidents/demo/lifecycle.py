"""The history of each demo matter: its trail of events, as the services would have written it.

A matter's timeline is planned with delays in proportion to its deadline, then played up to now:
a step that would come after now has not happened yet, so the last weeks hold open matters, some
of them overdue. The deadline check (``manage.py check_deadlines``) is assumed to run nightly at
02:00 and escalates what is overdue by then, as ``services.escalate_overdue`` does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from incidents.choices import (
    OPEN_STATES,
    TIER_DEADLINE,
    Action,
    DepartmentMode,
    EventKind,
    Result,
    Satisfaction,
    State,
    UnitKind,
)
from incidents.demo import texts
from incidents.demo.fate import Fate, draw_fate
from incidents.demo.grids import GridTable
from incidents.demo.outcomes import DUPLICATE_OUTCOME, pick_outcome
from incidents.demo.plan import MatterSeed, Stream, rng_for
from incidents.demo.staff import (
    COUNTY_DISPATCHER,
    LEADER,
    Staff,
    Unit,
    center,
    department,
    parent_unit,
)
from incidents.routing import covering_code
from incidents.services import TRANSITIONS

NIGHTLY_CHECK = dt.time(2, 0)
MINUTE = dt.timedelta(minutes=1)


class BeyondNowError(Exception):
    """The next step of the timeline lies after now: the story stops here."""


@dataclass(frozen=True)
class EventRow:
    """One event of a trail (actor by username; None for the system)."""

    at: dt.datetime
    actor: str | None
    kind: str
    action: str = ""
    from_state: str = ""
    to_state: str = ""
    note: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the histories need from the database: units and users, and the moment of loading."""

    now: dt.datetime
    tz: dt.tzinfo
    seed: int
    staff: Staff
    grids: GridTable
    unit_codes: dict[Unit, str]
    unit_names: dict[Unit, str]
    user_ids: dict[str, int]


class Matter:
    """A matter being played through the workflow; its fields mirror ``Incident``."""

    def __init__(self, seed: MatterSeed, reporter: str, ctx: Context) -> None:
        self.seed, self.reporter, self.ctx = seed, reporter, ctx
        self.tier = seed.tier
        self.received_at = seed.received_at
        self.due_at = seed.received_at + TIER_DEADLINE[seed.tier]
        self.multi_department = False
        self.unit = self.rule_unit()
        self.state = State.RECEIVED
        self.handler: str | None = None
        self.result = self.outcome = self.satisfaction = self.follow_up_note = ""
        self.route_override_reason = ""
        self.report_back_due_at: dt.datetime | None = None
        self.handled_at: dt.datetime | None = None
        self.followed_up_at: dt.datetime | None = None
        self.closed_at: dt.datetime | None = None
        self.escalated_at: dt.datetime | None = None
        self.supervised = False
        self.owner_leader: str | None = None
        self.events: list[EventRow] = []
        data = {
            "source": seed.source,
            "handling_unit": self.code(self.unit),
            "outside_grid_m": None,
            "input_crs": seed.input_crs,
            "duplicate_of": None,
        }
        self._append(
            EventRow(
                seed.received_at, reporter, EventKind.INTAKE, to_state=State.RECEIVED, data=data
            )
        )

    # -- helpers ---------------------------------------------------------------------------------

    def code(self, unit: Unit) -> str:
        return self.ctx.unit_codes[unit]

    def rule_unit(self) -> Unit:
        codes = [self.ctx.grids.codes[cell] for cell in self.seed.grids]
        return center(covering_code(codes, multi_department=self.multi_department))

    def _append(self, event: EventRow) -> None:
        self.events.append(event)

    def when(self, at: dt.datetime) -> dt.datetime:
        """The time of the next step, after the last one; BeyondNowError if it is after now."""
        at = max(at, self.events[-1].at + MINUTE)
        self.escalate_until(at)
        at = max(at, self.events[-1].at + MINUTE)
        if at > self.ctx.now:
            raise BeyondNowError
        return at

    def step(self, at: dt.datetime, actor: str, action: str, note: str = "", data=None) -> None:
        """One workflow transition, allowed only along TRANSITIONS (as the services enforce)."""
        sources, target = TRANSITIONS[action]
        if self.state not in sources:
            raise AssertionError(f"demo history breaks the workflow: {action} from {self.state}")
        row = EventRow(
            at, actor, EventKind.TRANSITION, action, self.state, target, note, data or {}
        )
        self.state = target
        self._append(row)

    def escalate_until(self, limit: dt.datetime) -> None:
        """The nightly deadline check: an open, overdue matter goes to the parent center, once."""
        if self.state not in OPEN_STATES or self.escalated_at is not None:
            return
        deadline = min(self.due_at, self.report_back_due_at or self.due_at)
        check = nightly_after(deadline, self.ctx.tz)
        if check >= limit or check > self.ctx.now:
            return
        previous, target = self.unit, parent_unit(self.unit)
        self.unit, self.escalated_at = target, check
        due = deadline.astimezone(self.ctx.tz)
        note = f"逾期（应于{due:%Y-%m-%d %H:%M}前办结），升级至{self.ctx.unit_names[target]}。"
        data = {"from_unit": self.code(previous), "to_unit": self.code(target)}
        self._append(
            EventRow(check, None, EventKind.ESCALATE, "", self.state, self.state, note, data)
        )

    # -- the actions -----------------------------------------------------------------------------

    def link_duplicate(self, at: dt.datetime, original: int) -> None:
        at = self.when(at)
        data = {"duplicate_of": original}  # the matter's index; the loader puts in its id
        self._append(EventRow(at, self.dispatcher(), EventKind.DUPLICATE, note="", data=data))

    def assess(self, at: dt.datetime, fate: Fate) -> None:
        at = self.when(at)
        changes = {}
        if fate.new_tier:
            changes["tier"] = [self.tier, fate.new_tier]
            self.tier = fate.new_tier
            self.due_at = self.received_at + TIER_DEADLINE[self.tier]
        if fate.multi_department:
            changes["multi_department"] = [False, True]
            self.multi_department = True
        self.step(at, self.dispatcher(), Action.ASSESS, data=changes)

    def supervise(self, at: dt.datetime, *, owned: bool) -> None:
        at = self.when(at)
        leader_id = self.ctx.user_ids[LEADER] if owned else None
        self.supervised, self.owner_leader = True, LEADER if owned else None
        data = {
            "before": {"supervised": False, "owner_leader": None},
            "after": {"supervised": True, "owner_leader": leader_id},
        }
        note = texts.LEADER_NOTE if owned else texts.SUPERVISION_NOTE
        self._append(EventRow(at, LEADER, EventKind.SUPERVISION, note=note, data=data))

    def route(self, at: dt.datetime, override: Unit | None) -> None:
        at = self.when(at)
        actor, previous, by_rule = self.dispatcher(), self.unit, self.rule_unit()
        self.unit = override or by_rule
        self.route_override_reason = texts.PETITION_ROUTE_REASON if override else ""
        self.report_back_due_at = None
        data = {
            "from_unit": self.code(previous),
            "to_unit": self.code(self.unit),
            "rule_unit": self.code(by_rule),
            "override_reason": self.route_override_reason,
        }
        self.step(at, actor, Action.ROUTE, data=data)

    def start(self, at: dt.datetime) -> None:
        at = self.when(at)
        self.handler = self.ctx.staff.handler(self.unit)
        self.step(at, self.handler, Action.START)

    def transfer(self, at: dt.datetime, to: Unit) -> None:
        at = self.when(at)
        actor, previous = self.dispatcher(), self.unit
        self.unit, self.handler = to, None
        takes_away = to.kind == UnitKind.DEPARTMENT and to.mode != DepartmentMode.ON_SITE
        self.report_back_due_at = max(self.due_at, at) if takes_away else None
        back = self.report_back_due_at.isoformat() if self.report_back_due_at else None
        data = {"from_unit": self.code(previous), "to_unit": self.code(to), "report_back_by": back}
        self.step(at, actor, Action.TRANSFER, texts.TRANSFER_NOTE, data)

    def finish(self, at: dt.datetime, outcome: str, *, resolved: bool) -> None:
        at = self.when(at)
        staff = self.ctx.staff
        if self.handler and staff.acts_for(self.handler, self.unit):
            actor = self.handler
        else:  # escalated out of the handler's reach: the new unit's mediator finishes it
            actor = staff.handler(self.unit)
        self.result = Result.RESOLVED if resolved else Result.UNRESOLVED
        self.outcome, self.handled_at = outcome, at
        action = Action.RESOLVE if resolved else Action.FAIL
        self.step(at, actor, action, outcome, {"on_time": at <= self.due_at})

    def follow_up(self, at: dt.datetime, satisfaction: str, note: str, *, by_grid: bool) -> None:
        at = self.when(at)
        actor = self.follow_up_actor(by_grid=by_grid)
        self.satisfaction, self.follow_up_note, self.followed_up_at = satisfaction, note, at
        self.step(at, actor, Action.FOLLOW_UP, note, {"satisfaction": satisfaction})

    def reopen(self, at: dt.datetime) -> None:
        at = self.when(at)
        previous_due = self.due_at
        self.due_at = at + TIER_DEADLINE[self.tier]
        self.result, self.handled_at, self.escalated_at = "", None, None
        data = {"previous_due_at": previous_due.isoformat(), "due_at": self.due_at.isoformat()}
        self.step(at, self.dispatcher(), Action.REOPEN, texts.REOPEN_NOTE, data)

    def close(self, at: dt.datetime) -> None:
        at = self.when(at)
        self.closed_at = at
        self.step(at, self.dispatcher(), Action.CLOSE)

    # -- who -------------------------------------------------------------------------------------

    def dispatcher(self) -> str:
        return self.ctx.staff.dispatcher(self.unit)

    def follow_up_actor(self, *, by_grid: bool) -> str:
        """Never the handler: the grid's own leader, or a dispatcher working for the unit."""
        staff = self.ctx.staff
        if (
            by_grid
            and staff.users[self.reporter].jurisdiction == self.ctx.grids.codes[self.seed.grids[0]]
        ):
            return self.reporter
        for who in (staff.dispatcher(self.unit), COUNTY_DISPATCHER):
            if who != self.handler and staff.acts_for(who, self.unit):
                return who
        raise AssertionError("no one may make the follow-up visit")


def nightly_after(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The first nightly deadline check strictly after ``moment``."""
    local = moment.astimezone(tz)
    check = dt.datetime.combine(local.date(), NIGHTLY_CHECK, tzinfo=tz)
    return check if check > local else check + dt.timedelta(days=1)


def live(seed: MatterSeed, index: int, reporter: str, ctx: Context) -> Matter:
    """Play one matter from intake to now."""
    rng = rng_for(ctx.seed, Stream.LIFE, index)
    fate = draw_fate(seed, rng)
    matter = Matter(seed, reporter, ctx)
    with contextlib.suppress(BeyondNowError):
        _play(matter, fate, rng)
    matter.escalate_until(ctx.now)
    return matter


def _play(matter: Matter, fate: Fate, rng: np.random.Generator) -> None:
    seed = matter.seed
    if seed.duplicate_of is not None and seed.linked:
        matter.link_duplicate(seed.received_at + MINUTE * rng.uniform(10, 40), seed.duplicate_of)
    deadline = TIER_DEADLINE[matter.tier]
    matter.assess(seed.received_at + max(5 * MINUTE, deadline * rng.uniform(0.01, 0.06)), fate)
    deadline = TIER_DEADLINE[matter.tier]
    last = matter.events[-1].at
    if fate.supervised or fate.owned:
        matter.supervise(last + deadline * rng.uniform(0.02, 0.1), owned=fate.owned)
    petition_desk = fate.transfer and seed.kind == "petition"
    override = department(seed.spec.department) if petition_desk else None
    matter.route(matter.events[-1].at + deadline * rng.uniform(0.005, 0.03), override)
    matter.start(matter.events[-1].at + deadline * rng.uniform(0.01, 0.08))
    if fate.on_time_fraction is None:
        handled = matter.due_at + fate.late_by
    else:
        handled = matter.received_at + (matter.due_at - matter.received_at) * fate.on_time_fraction
    if fate.transfer and not petition_desk:
        started = matter.events[-1].at
        matter.transfer(started + (handled - started) * rng.uniform(0.15, 0.35),
                        department(seed.spec.department))  # fmt: skip
        matter.start(matter.events[-1].at + deadline * rng.uniform(0.01, 0.05))
    _finish(matter, fate, rng, handled)
    if fate.reopen:
        matter.reopen(matter.events[-1].at + dt.timedelta(hours=rng.uniform(2, 20)))
        matter.finish(matter.events[-1].at + deadline * rng.uniform(0.3, 0.9),
                      pick_outcome(rng, seed.spec.code, resolved=True), resolved=True)  # fmt: skip
        again = Satisfaction.SATISFIED if rng.random() < 0.6 else Satisfaction.BASICALLY
        _follow_up(matter, fate, rng, again)
    matter.close(matter.events[-1].at + dt.timedelta(hours=rng.uniform(1, 48)))


def _finish(matter: Matter, fate: Fate, rng: np.random.Generator, handled: dt.datetime) -> None:
    if matter.seed.linked:
        outcome = DUPLICATE_OUTCOME
    else:
        outcome = pick_outcome(rng, matter.seed.spec.code, resolved=not fate.unresolved)
    matter.finish(handled, outcome, resolved=not fate.unresolved)
    _follow_up(matter, fate, rng, fate.satisfaction)


def _follow_up(matter: Matter, fate: Fate, rng: np.random.Generator, satisfaction: str) -> None:
    note = texts.pick(rng, texts.FOLLOW_UP_NOTES[satisfaction])
    at = matter.events[-1].at + dt.timedelta(days=rng.uniform(0.3, 4.0))
    matter.follow_up(at, satisfaction, note, by_grid=fate.grid_leader_follows_up)
