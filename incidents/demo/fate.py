"""How a demo matter will go, drawn once at intake: on time or late, result, transfer, satisfaction.

Used by the histories (``incidents.demo.lifecycle``) and by the demo's synthetic ledger of the
years before the last (``onboarding.demo_ledger``), so both have the same shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from incidents.choices import TIER_DEADLINE, Result, Satisfaction, Tier
from incidents.demo.catalogue import TRANSFER_SHARE
from incidents.demo.plan import MatterSeed

LATE_SHARE = {Tier.ORDINARY: 0.06, Tier.LARGER: 0.08, Tier.MAJOR: 0.12}
STUCK_SHARE = 0.06  # left far past the deadline: 3 to 45 days late
LATE_MEAN = dt.timedelta(days=3)  # how late a late matter is, at least (0.6 of a long deadline)
SATISFACTION = (Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED)
SATISFACTION_SHARES = {Result.RESOLVED: (0.75, 0.22, 0.03), Result.UNRESOLVED: (0.3, 0.4, 0.3)}


@dataclass(frozen=True)
class Fate:
    """How a matter will go, drawn once at intake."""

    on_time_fraction: float | None  # handled after this fraction of the time allowed, or
    late_by: dt.timedelta  # … this long after the deadline
    unresolved: bool
    transfer: bool
    supervised: bool
    owned: bool
    multi_department: bool
    new_tier: str | None
    satisfaction: str
    reopen: bool
    grid_leader_follows_up: bool


LINKED_DUPLICATE_FATE = Fate(
    on_time_fraction=0.3,
    late_by=dt.timedelta(0),
    unresolved=False,
    transfer=False,
    supervised=False,
    owned=False,
    multi_department=False,
    new_tier=None,
    satisfaction=Satisfaction.SATISFIED,
    reopen=False,
    grid_leader_follows_up=False,
)


def draw_fate(seed: MatterSeed, rng: np.random.Generator) -> Fate:
    """The matter's course: on time or late, result, transfer, supervision, satisfaction."""
    if seed.linked:  # a linked duplicate is closed with the first report
        return LINKED_DUPLICATE_FATE
    late = rng.random() < LATE_SHARE[seed.tier]
    stuck = rng.random() < STUCK_SHARE
    on_time = None if late or stuck else 0.25 + 0.72 * rng.beta(2.5, 1.2)
    if stuck:
        late_by = dt.timedelta(days=rng.uniform(3.0, 45.0))
    else:
        mean = max(LATE_MEAN, TIER_DEADLINE[seed.tier] * 0.6)
        late_by = mean * min(rng.exponential(1.0), 5.0) + dt.timedelta(minutes=30)
    weight = 1.0 + 4.0 * (seed.tier == Tier.MAJOR) + (seed.tier == Tier.LARGER)
    unresolved = rng.random() < seed.spec.unresolved
    shares = SATISFACTION_SHARES[Result.UNRESOLVED if unresolved else Result.RESOLVED]
    satisfaction = SATISFACTION[int(rng.choice(3, p=shares))]
    upgrade = {Tier.ORDINARY: Tier.LARGER, Tier.LARGER: Tier.MAJOR}.get(seed.tier)
    return Fate(
        on_time_fraction=on_time,
        late_by=late_by,
        unresolved=unresolved,
        transfer=bool(seed.spec.department) and rng.random() < TRANSFER_SHARE[seed.kind],
        supervised=rng.random() < 0.012 * weight * (1.0 if on_time else 2.0),
        owned=rng.random() < 0.009 * (1.0 + 6.0 * (seed.tier == Tier.MAJOR)),
        multi_department=seed.kind == "dispute" and rng.random() < 0.01,
        new_tier=upgrade if rng.random() < 0.04 else None,
        satisfaction=satisfaction,
        reopen=satisfaction == Satisfaction.DISSATISFIED and rng.random() < 0.5,
        grid_leader_follows_up=rng.random() < 0.3,
    )
