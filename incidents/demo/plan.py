"""What happens in the demo's years: each matter's category, tier, source, time, place and parties.

Pure numpy/shapely on the grid table; the histories are made in ``incidents.demo.lifecycle``.
Matters come from a background (seasons per category, places by population and the persistent
hot cells of ``incidents.demo.structure``) and the near-repeat follow-ons each matter brings.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, replace
from enum import IntEnum

import numpy as np

from gridmap.demo.logins import GRID_LEADER_GRID
from incidents.choices import PartyRole, Source, Tier
from incidents.demo.catalogue import CATEGORY_SPECS, SEASONS, CategorySpec
from incidents.demo.grids import GridTable
from incidents.demo.people import PartyMaker, PartySeed
from incidents.demo.roads import points_near_roads, to_metric, to_wgs84
from incidents.demo.structure import THEMES, follow_on_delays, follow_on_places, hot_factors
from incidents.demo.texts import title_and_description
from incidents.seed import CATEGORIES

DAYS = 365
# Three years, the span a forecast learns from (analytics.forecasting.data.DEFAULT_SPAN), so a
# backtest has a full year to forecast with two years before it.
DEMO_YEARS = 3
# The last year's matters are written with their live workflow (load_demo_incidents); the years
# before it are the demo's synthetic ledger, brought in through the ledger importer
# (onboarding's load_demo_ledger).
LIVE_DAYS = DAYS
# Matters of the weeks before the first day are planned too (and dropped), so the first weeks
# have their share of follow-ons of earlier matters.
WARM_UP_DAYS = 90
KIND_OF = {code: kind for code, kind, _name, _en in CATEGORIES}
SOURCES = (Source.FIELD, Source.WINDOW, Source.HOTLINE, Source.API)
TIERS = (Tier.ORDINARY, Tier.LARGER, Tier.MAJOR)
WEEKEND_FACTOR = 0.75
# Local hour of intake by source (index = hour): field work and the window keep office hours,
# the hotline answers around the clock.
_OFFICE = np.array([0, 0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 8, 4, 3, 7, 8, 8, 6, 3, 1, 0, 0, 0, 0], float)
_FIELD = np.array([0, 0, 0, 0, 0, 0, 1, 3, 6, 8, 9, 8, 5, 4, 7, 8, 8, 7, 5, 3, 2, 1, 0, 0], float)
_HOTLINE = np.array([1, 1, 0, 0, 0, 1, 1, 2, 5, 7, 8, 7, 5, 5, 7, 7, 7, 6, 5, 5, 4, 3, 2, 1], float)
HOURS = {Source.FIELD: _FIELD, Source.API: _FIELD, Source.WINDOW: _OFFICE, Source.HOTLINE: _HOTLINE}
DUPLICATE_PAIRS = 24  # recent matters reported twice (same category, within 50 m)
DUPLICATE_WINDOW_DAYS = 7
# The demo's grid-leader login opens "my grid" on this grid: it gets a few of the last weeks'
# field reports, so the page shows open and recently handled matters rather than an empty list.
SHOWCASE_REPORTS = 8
SHOWCASE_DAYS = 40


class Stream(IntEnum):
    """What a random stream is for, so that one more draw for one purpose never shifts another."""

    COUNTS = 1
    PLACES = 2
    DETAILS = 3
    DUPLICATES = 4
    LIFE = 5
    STAFF = 6
    HOT = 7
    FOLLOW_ONS = 8


@dataclass
class MatterSeed:
    """One matter as it is taken in (its history is made later)."""

    spec: CategorySpec
    tier: str
    source: str
    received_at: dt.datetime
    grids: list[int]  # grid table index of each location
    points: list[tuple[float, float]]  # (lon, lat), WGS84
    title: str = ""
    description: str = ""
    address: str = ""
    accuracy_m: float | None = None
    input_crs: str = "wgs84"
    parties: list[PartySeed] = field(default_factory=list)
    duplicate_of: int | None = None  # index of the earlier matter it repeats
    linked: bool = False  # linked as a duplicate by the dispatcher
    uid: uuid.UUID | None = None  # drawn from the seed, so a re-run gives the same ones

    @property
    def kind(self) -> str:
        return KIND_OF[self.spec.code]


def live_start(today: dt.date) -> dt.date:
    """The first day of the last year of the plan (its last LIVE_DAYS days up to ``today``)."""
    return today - dt.timedelta(days=LIVE_DAYS - 1)


def rng_for(seed: int, stream: Stream, key: int = 0) -> np.random.Generator:
    """The random generator for one purpose (and one matter or category)."""
    return np.random.default_rng([seed, int(stream), key])


def plan_years(
    grids: GridTable, *, today: dt.date, tz: dt.tzinfo, seed: int, years: int = DEMO_YEARS
) -> list[MatterSeed]:
    """Every matter of the ``years`` × 365 days up to and including ``today``, by intake."""
    first = today - dt.timedelta(days=DAYS * years - 1)
    days = [first + dt.timedelta(days=k) for k in range(-WARM_UP_DAYS, DAYS * years)]
    hot = hot_factors(grids, years, rng_for(seed, Stream.HOT))
    seeds: list[MatterSeed] = []
    for number, spec in enumerate(CATEGORY_SPECS):
        when = _intake_days(spec, days, rng_for(seed, Stream.COUNTS, number))
        year = np.clip([(day - first).days // DAYS for day in when], 0, years - 1).astype(int)
        weights = hot[:, THEMES.index(spec.theme), :]
        where = _places(spec, grids, year, weights, rng_for(seed, Stream.PLACES, number))
        rng = rng_for(seed, Stream.DETAILS, number)
        for day, (cells, points) in zip(when, where, strict=True):
            seeds.append(_seed(spec, day, cells, points, rng, tz))
    seeds += _follow_ons(seeds, grids, rng_for(seed, Stream.FOLLOW_ONS), today, tz)
    seeds = [s for s in seeds if s.received_at.date() >= first]
    seeds.sort(key=lambda s: (s.received_at, s.spec.code))
    seeds = _with_duplicates(seeds, grids, seed=seed)
    _showcase_demo_grid(seeds, grids, rng_for(seed, Stream.PLACES, 999))
    _describe(seeds, grids, rng_for(seed, Stream.DETAILS, 999), today)
    return seeds


def _seed(
    spec: CategorySpec,
    day: dt.date,
    cells: list[int],
    points: list[tuple[float, float]],
    rng: np.random.Generator,
    tz: dt.tzinfo,
) -> MatterSeed:
    source = SOURCES[int(rng.choice(4, p=spec.sources))]
    return MatterSeed(
        spec=spec,
        tier=TIERS[int(rng.choice(3, p=spec.tiers))],
        source=source,
        received_at=_moment(rng, day, source, tz),
        grids=cells,
        points=points,
    )


def _intake_days(spec: CategorySpec, days: list[dt.date], rng: np.random.Generator) -> list:
    """The day of each background matter: the category's rate less its follow-ons' share."""
    season = np.array(SEASONS[spec.season])
    shape = np.array(
        [season[d.month - 1] * (WEEKEND_FACTOR if d.weekday() >= 5 else 1.0) for d in days]
    )
    # Each background matter brings 1 / (1 - m) - 1 follow-ons on average (m = follow_on), so
    # the background is (1 - m) of the rate and the total keeps the category's yearly figure.
    per_day = spec.per_year / DAYS * (1.0 - spec.follow_on)
    counts = rng.poisson(per_day * shape / shape.mean())
    return [day for day, count in zip(days, counts, strict=True) for _ in range(count)]


def _follow_ons(
    seeds: list[MatterSeed],
    grids: GridTable,
    rng: np.random.Generator,
    today: dt.date,
    tz: dt.tzinfo,
) -> list[MatterSeed]:
    """The follow-ons of ``seeds``, generation by generation (follow-ons bring their own)."""
    made: list[MatterSeed] = []
    parents = seeds
    while parents:
        counts = rng.poisson([p.spec.follow_on for p in parents])
        sources = [p for p, n in zip(parents, counts, strict=True) for _ in range(int(n))]
        if not sources:
            break
        cells, points = follow_on_places(grids, [p.points[0] for p in sources], rng)
        delays = follow_on_delays(len(sources), rng)
        children = []
        for parent, cell, point, delay in zip(sources, cells, points, delays, strict=True):
            after = parent.received_at + dt.timedelta(days=float(delay))
            if cell < 0 or after.date() > today:  # beyond the county, or not yet
                continue
            child = _seed(parent.spec, after.date(), [int(cell)], [point], rng, tz)
            # Never before the matter that brought it: at the earliest an hour later that day.
            child.received_at = max(child.received_at, parent.received_at + dt.timedelta(hours=1))
            if child.received_at.date() <= today:
                children.append(child)
        made += children
        parents = children
    return made


def _moment(rng: np.random.Generator, day: dt.date, source: str, tz: dt.tzinfo) -> dt.datetime:
    weights = HOURS[source]
    hour = int(rng.choice(24, p=weights / weights.sum()))
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
    return start + dt.timedelta(seconds=int(rng.integers(0, 3600)))


def grid_weights(spec: CategorySpec, grids: GridTable) -> np.ndarray:
    """How likely each grid cell is to hold a matter of ``spec`` (sums to 1)."""
    rural = ~grids.urban
    median = np.median(grids.village_population[rural])
    # Large villages have more than their share: weight grows faster than the population.
    size = np.where(rural, np.sqrt(grids.village_population / median), 1.0)
    if spec.place == "terrain":
        weights = grids.area_km2 * rural
    else:
        weights = grids.population * size * (rural if spec.place == "rural" else 1.0)
        seat_urban = grids.seat & grids.urban
        other_urban = grids.urban & ~grids.seat
        weights = weights * np.where(seat_urban, spec.urban, 1.0)
        weights = weights * np.where(other_urban, 1.0 + (spec.urban - 1.0) * 0.6, 1.0)
        weights = weights * np.where(grids.seat & rural, 1.0 + (spec.urban - 1.0) * 0.15, 1.0)
    return weights / weights.sum()


def _places(
    spec: CategorySpec,
    grids: GridTable,
    year: np.ndarray,
    hot: np.ndarray,
    rng: np.random.Generator,
) -> list:
    """For each matter: its grid indexes and points (a second one in the next township, rarely).

    ``year`` is each matter's year, ``hot`` the cells' factors of the category's theme per year
    (cells × years); matters placed along a road follow the road only.
    """
    count = len(year)
    on_road = rng.random(count) < spec.road_share
    road_cells, road_points = _road_places(grids, int(on_road.sum()), spec.road_scale_m, rng)
    base = grid_weights(spec, grids)
    cells = np.zeros(count, dtype=int)
    for y in range(hot.shape[1]):
        mine = np.flatnonzero(year == y)
        weights = base * hot[:, y]
        cells[mine] = rng.choice(len(grids), size=len(mine), p=weights / weights.sum())
    places, next_road = [], 0
    for index in range(count):
        if on_road[index]:
            cell, point = int(road_cells[next_road]), road_points[next_road]
            next_road += 1
        else:
            cell = int(cells[index])
            point = grids.sample_in(rng, cell)
        places.append(([cell], [point]))
        if rng.random() < spec.multi_township:
            _add_neighbour(places[-1], grids, rng)
    return places


def _road_places(grids: GridTable, count: int, scale_m: float, rng: np.random.Generator):
    cells: list[int] = []
    points: list[tuple[float, float]] = []
    while len(cells) < count:
        lons, lats = points_near_roads(rng, 2 * (count - len(cells)) + 8, scale_m)
        found = grids.locate(lons, lats)
        for lon, lat, cell in zip(lons, lats, found, strict=True):
            if cell >= 0 and len(cells) < count:  # the roads run on beyond the county
                cells.append(int(cell))
                points.append((float(lon), float(lat)))
    return cells, points


def _add_neighbour(place: tuple[list, list], grids: GridTable, rng: np.random.Generator) -> None:
    cells, points = place
    others = grids.neighbours_in_other_townships(cells[0])
    if len(others):  # only cells on a township border have one
        other = int(others[rng.integers(len(others))])
        cells.append(other)
        points.append(grids.sample_in(rng, other))


def _showcase_demo_grid(
    seeds: list[MatterSeed], grids: GridTable, rng: np.random.Generator
) -> None:
    """Move a few recent single-point field reports into the demo grid leader's grid."""
    if GRID_LEADER_GRID not in grids.codes:
        return
    cell = grids.codes.index(GRID_LEADER_GRID)
    last = seeds[-1].received_at
    recent = [
        i
        for i, s in enumerate(seeds)
        if s.received_at > last - dt.timedelta(days=SHOWCASE_DAYS)
        and s.source == Source.FIELD
        and len(s.points) == 1
        and s.duplicate_of is None
        and s.kind in ("dispute", "hazard")
    ]
    for index in rng.choice(recent, size=min(SHOWCASE_REPORTS, len(recent)), replace=False):
        seeds[int(index)].grids = [cell]
        seeds[int(index)].points = [grids.sample_in(rng, cell)]


def _with_duplicates(seeds: list[MatterSeed], grids: GridTable, *, seed: int) -> list:
    """Add second reports of recent matters: same category, a few metres away, hours later."""
    rng = rng_for(seed, Stream.DUPLICATES)
    last = seeds[-1].received_at
    recent = [
        i
        for i, s in enumerate(seeds)
        if s.received_at > last - dt.timedelta(days=DUPLICATE_WINDOW_DAYS) and s.kind != "petition"
    ]
    picked = rng.choice(recent, size=min(DUPLICATE_PAIRS, len(recent)), replace=False)
    copies = []
    for original in sorted(int(i) for i in picked):
        first = seeds[original]
        x, y = to_metric(np.array([first.points[0][0]]), np.array([first.points[0][1]]))
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(5, 40)
        lons, lats = to_wgs84(x + distance * np.cos(angle), y + distance * np.sin(angle))
        cell = int(grids.locate(lons, lats)[0])
        if cell < 0:
            continue
        copies.append(
            replace(
                first,
                source=Source.HOTLINE if rng.random() < 0.6 else Source.FIELD,
                received_at=first.received_at + dt.timedelta(minutes=int(rng.integers(40, 1800))),
                grids=[cell],
                points=[(float(lons[0]), float(lats[0]))],
                duplicate_of=original,
                linked=bool(rng.random() < 0.5),
            )
        )
    # Originals keep their place; each copy goes in after its original, in time order.
    merged = seeds + copies
    order = sorted(range(len(merged)), key=lambda i: (merged[i].received_at, i))
    position = {old: new for new, old in enumerate(order)}
    result = [merged[i] for i in order]
    for matter in result:
        if matter.duplicate_of is not None:
            matter.duplicate_of = position[matter.duplicate_of]
    return result


def _describe(seeds: list[MatterSeed], grids: GridTable, rng: np.random.Generator, today) -> None:
    parties = PartyMaker(rng, today)
    for matter in seeds:
        cell = matter.grids[0]
        matter.uid = uuid.UUID(bytes=rng.bytes(16), version=4)
        matter.title, matter.description = title_and_description(
            rng, matter.spec.code, grids.village_names[cell]
        )
        matter.address = grids.township_names[cell] + grids.names[cell]
        if matter.source in (Source.FIELD, Source.API):
            matter.accuracy_m = round(float(rng.gamma(2.0, 6.0)) + 3.0, 1)
            matter.input_crs = "gcj02" if matter.source == Source.API else "wgs84"
        matter.parties = [parties.make(role) for role in _party_roles(matter, rng)]


def _party_roles(matter: MatterSeed, rng: np.random.Generator) -> list[str]:
    if matter.kind == "dispute":
        roles = [PartyRole.APPLICANT, PartyRole.RESPONDENT]
        return [*roles, PartyRole.OTHER] if rng.random() < 0.15 else roles
    if matter.kind == "hazard" and matter.source == Source.FIELD:
        return []
    return [PartyRole.APPLICANT] * (2 if rng.random() < 0.1 else 1)
