"""Who the demo's responders are and where they are based: pure numpy/shapely on the grid table.

55 mediators (six at the county center, the rest over the 17 townships by population, at least
two each), 3 psychological counsellors and 10 industry mediation committees at the county, and 55
volunteer squads over the townships (about half of them a village's own) with 647 volunteers.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import shapely

from accounts.choices import Role
from gridmap.demo.county import SEAT_TOWNSHIP, apportion
from gridmap.demo.logins import DEMO_LOGINS
from gridmap.demo.names import person_name
from gridmap.demo.reference import COUNTY_CODE
from incidents.demo.grids import GridTable
from incidents.demo.roads import to_metric, to_wgs84
from volunteers.choices import ResponderKind, TravelMode
from volunteers.demo import texts

MEDIATORS = 55
COUNTY_MEDIATORS = 6
COUNSELLORS = 3
SQUADS = 55
VOLUNTEERS = 647
# 199-0002-xxxx: after the grid leaders' (1990000) and the parties' (1990001) fictional blocks.
RESPONDER_PHONE_PREFIX = "1990002"
# The demo login that acts for one county mediator (the phone page shows its assignments).
RESPONDER_LOGIN = next(login.username for login in DEMO_LOGINS if login.role == Role.RESPONDER)
# About one unit in twelve has its phone's location sharing off: its position stays hours old.
# Decided by the phone number, so the loader and the demo clock agree without a stored flag.
SILENT_PER_MILLE = 85
OFF_DUTY_SHARE = {
    ResponderKind.MEDIATOR: 0.10,
    ResponderKind.COUNSELLOR: 0.25,
    ResponderKind.SQUAD: 0.12,
    ResponderKind.COMMITTEE: 0.10,
}


class Stream(IntEnum):
    """What a random stream is for (numbers apart from incidents.demo.plan.Stream's)."""

    ROSTER = 41
    VOLUNTEERS = 42
    DISPATCH = 43
    POSITIONS = 44


def rng_for(seed: int, stream: Stream, key: int = 0) -> np.random.Generator:
    """The random generator for one purpose."""
    return np.random.default_rng([seed, int(stream), key])


def responder_phone(serial: int) -> str:
    """The ``serial``-th number of the responders' fictional block (1990002xxxx)."""
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial {serial} is outside the fictional block")
    return f"{RESPONDER_PHONE_PREFIX}{serial:04d}"


def is_silent(phone: str) -> bool:
    """Whether the unit with this phone does not share its location (a stale position)."""
    return zlib.crc32(phone.encode()) % 1000 < SILENT_PER_MILLE


@dataclass(frozen=True)
class VolunteerSeed:
    name: str
    phone: str
    is_leader: bool


@dataclass
class UnitSeed:
    """One responder as the demo plans it; ``username`` is the account that acts for it."""

    key: str
    kind: str
    name: str
    home_code: str
    base: tuple[float, float]  # (lon, lat), WGS84
    travel_mode: str
    capacity: int
    skills: tuple[str, ...]
    phone: str
    person: str
    username: str
    off_duty: bool = False
    volunteers: list[VolunteerSeed] = field(default_factory=list)

    @property
    def silent(self) -> bool:
        return self.username != RESPONDER_LOGIN and is_silent(self.phone)

    @property
    def account_name(self) -> str:
        """The display name of the unit's account."""
        if self.kind == ResponderKind.SQUAD:
            return f"{self.name}队长{self.person}"
        if self.kind == ResponderKind.COMMITTEE:
            return f"{self.name}调解员{self.person}"
        return self.name


@dataclass(frozen=True)
class Places:
    """Townships and villages of the grid table, with a center point for each."""

    townships: list[tuple[str, str, float]]  # (code, name, population), in code order
    villages: dict[str, list[tuple[str, str, float]]]  # township code → its villages
    centers: dict[str, tuple[float, float]]  # area code → (lon, lat) of its center

    @classmethod
    def of(cls, grids: GridTable) -> Places:
        towns: dict[str, tuple[str, float]] = {}
        villages: dict[str, dict[str, tuple[str, float]]] = {}
        busiest: dict[str, list[int]] = {}
        for index in range(len(grids)):
            township, village = grids.township_codes[index], grids.village_codes[index]
            name, people = towns.get(township, (grids.township_names[index], 0.0))
            towns[township] = (name, people + float(grids.population[index]))
            villages.setdefault(township, {})[village] = (
                grids.village_names[index],
                float(grids.village_population[index]),
            )
            for area in (COUNTY_CODE, township, village):
                busiest.setdefault(area, []).append(index)
        centers = {}
        for area, cells in busiest.items():
            ranked = sorted(cells, key=lambda i: (-grids.population[i], grids.codes[i]))
            # The county center and the seat township's center sit in different grids of the seat.
            cell = ranked[1] if area == SEAT_TOWNSHIP and len(ranked) > 1 else ranked[0]
            point = shapely.point_on_surface(grids.polygons[cell])
            centers[area] = (float(point.x), float(point.y))
        return cls(
            townships=[(code, name, people) for code, (name, people) in sorted(towns.items())],
            villages={
                township: [(code, name, people) for code, (name, people) in sorted(rows.items())]
                for township, rows in villages.items()
            },
            centers=centers,
        )


def near(
    rng: np.random.Generator, grids: GridTable, point: tuple[float, float], sigma_m: float
) -> tuple[float, float]:
    """A point scattered around ``point`` (normal, ``sigma_m`` metres), inside the county."""
    x, y = to_metric(np.array([point[0]]), np.array([point[1]]))
    for _attempt in range(8):
        dx, dy = rng.normal(0.0, sigma_m, 2)
        lon, lat = to_wgs84(x + dx, y + dy)
        if grids.locate(lon, lat)[0] >= 0:
            return float(lon[0]), float(lat[0])
    return point


class _Phones:
    def __init__(self) -> None:
        self.serial = 0

    def next(self) -> str:
        phone = responder_phone(self.serial)
        self.serial += 1
        return phone


def plan_roster(grids: GridTable, *, seed: int) -> list[UnitSeed]:
    """Every unit of the demo with its volunteers, deterministic for ``seed``."""
    places = Places.of(grids)
    rng = rng_for(seed, Stream.ROSTER)
    phones = _Phones()
    units = _county_units(places, grids, rng, phones)
    people = np.array([people for _code, _name, people in places.townships])
    per_township = apportion(people, MEDIATORS - COUNTY_MEDIATORS, lower=2, upper=6)
    for (code, name, _people), count in zip(places.townships, per_township, strict=True):
        for number in range(1, int(count) + 1):
            person = person_name(rng)
            mode = TravelMode.CAR if rng.random() < 0.4 else TravelMode.BIKE
            units.append(
                UnitSeed(
                    key=f"mediator-{code[:9]}-{number}",
                    kind=ResponderKind.MEDIATOR,
                    name=f"{name}调解员{person}",
                    home_code=code,
                    base=near(rng, grids, places.centers[code], 250.0),
                    travel_mode=mode,
                    capacity=int(rng.integers(2, 4)),
                    skills=texts.TOWNSHIP_DISPUTES,
                    phone=phones.next(),
                    person=person,
                    username="",
                )
            )
    units += _squads(places, grids, rng, phones)
    _volunteers(units, rng_for(seed, Stream.VOLUNTEERS), phones)
    for unit in units:
        unit.username = unit.username or f"demo-rsp-{unit.key}"
        drawn = rng.random() < OFF_DUTY_SHARE[unit.kind]
        unit.off_duty = drawn and unit.username != RESPONDER_LOGIN
    return units


def _county_units(
    places: Places, grids: GridTable, rng: np.random.Generator, phones: _Phones
) -> list[UnitSeed]:
    center = places.centers[COUNTY_CODE]
    units = []
    for number in range(1, COUNTY_MEDIATORS + 1):
        person = person_name(rng)
        units.append(
            UnitSeed(
                key=f"mediator-{COUNTY_CODE[:6]}-{number}",
                kind=ResponderKind.MEDIATOR,
                name=f"县矛调中心调解员{person}",
                home_code=COUNTY_CODE,
                base=near(rng, grids, center, 300.0),
                travel_mode=TravelMode.CAR,
                capacity=int(rng.integers(2, 4)),
                skills=texts.DISPUTES,
                phone=phones.next(),
                person=person,
                username="",
            )
        )
    # The demo login acts for the first county mediator whose phone shares its location.
    demo = next(unit for unit in units if not is_silent(unit.phone))
    demo.username, demo.capacity = RESPONDER_LOGIN, 3
    for number in range(1, COUNSELLORS + 1):
        person = person_name(rng)
        units.append(
            UnitSeed(
                key=f"counsellor-{number}",
                kind=ResponderKind.COUNSELLOR,
                name=f"县心理咨询师{person}",
                home_code=COUNTY_CODE,
                base=near(rng, grids, center, 400.0),
                travel_mode=TravelMode.CAR,
                capacity=2,
                skills=texts.COUNSELLING,
                phone=phones.next(),
                person=person,
                username="",
            )
        )
    for number, (name, skills) in enumerate(texts.COMMITTEES, start=1):
        units.append(
            UnitSeed(
                key=f"committee-{number}",
                kind=ResponderKind.COMMITTEE,
                name=name,
                home_code=COUNTY_CODE,
                base=near(rng, grids, center, 700.0),
                travel_mode=TravelMode.CAR,
                capacity=3,
                skills=skills,
                phone=phones.next(),
                person=person_name(rng),
                username="",
            )
        )
    return units


def _squads(
    places: Places, grids: GridTable, rng: np.random.Generator, phones: _Phones
) -> list[UnitSeed]:
    """Squads per township by population; about half belong to one of its villages."""
    people = np.array([people for _code, _name, people in places.townships])
    per_township = apportion(people, SQUADS, lower=2, upper=6)
    squads = []
    for (code, name, _people), count in zip(places.townships, per_township, strict=True):
        in_villages = int(count) // 2
        picked = rng.choice(
            len(texts.SQUAD_THEMES), size=int(count) - in_villages - 1, replace=False
        )
        themes = [texts.EMERGENCY_SQUAD] + [texts.SQUAD_THEMES[int(t)] for t in picked]
        homes = [(code, f"{name}{theme}志愿服务队", skills, 600.0) for theme, skills in themes]
        villages = places.villages[code]
        weights = np.array([people for _c, _n, people in villages]) + 1.0
        weights /= weights.sum()
        chosen = rng.choice(len(villages), size=in_villages, replace=False, p=weights)
        for index in sorted(int(i) for i in chosen):
            village_code, village_name, _people = villages[index]
            theme, skills = texts.VILLAGE_SQUAD
            homes.append((village_code, f"{village_name}{theme}志愿服务队", skills, 200.0))
        for number, (home, squad_name, skills, spread) in enumerate(homes, start=1):
            squads.append(
                UnitSeed(
                    key=f"squad-{code[:9]}-{number}",
                    kind=ResponderKind.SQUAD,
                    name=squad_name,
                    home_code=home,
                    base=near(rng, grids, places.centers[home], spread),
                    travel_mode=TravelMode.WALK if rng.random() < 0.55 else TravelMode.BIKE,
                    capacity=int(rng.integers(2, 5)),
                    skills=skills,
                    phone="",  # the leader's, drawn with the volunteers
                    person="",
                    username="",
                )
            )
    return squads


def _volunteers(units: list[UnitSeed], rng: np.random.Generator, phones: _Phones) -> None:
    """647 volunteers over the squads (5 to 25 each); the first of each squad leads it."""
    squads = [unit for unit in units if unit.kind == ResponderKind.SQUAD]
    sizes = apportion(rng.lognormal(0.0, 0.45, len(squads)), VOLUNTEERS, lower=5, upper=25)
    for squad, size in zip(squads, sizes, strict=True):
        squad.volunteers = [
            VolunteerSeed(person_name(rng), phones.next(), is_leader=number == 0)
            for number in range(int(size))
        ]
        squad.person, squad.phone = squad.volunteers[0].name, squad.volunteers[0].phone
