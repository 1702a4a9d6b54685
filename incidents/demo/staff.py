"""Who acts in the demo's histories: the demo logins plus a few synthetic staff per center.

Township centers get two synthetic staff (a dispatcher who takes in, assesses, routes, follows up
and closes, and a mediator who handles), except the county seat, whose dispatcher is the demo login
``township``. The county center: the demo login ``dispatcher`` and a synthetic mediator. Each
department: one synthetic member. Field reports come from the grid's leader: the demo login
``gridleader`` for its grid, elsewhere a synthetic grid-leader account named after the grid's
leader. Synthetic accounts have no usable password (nobody logs in as them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accounts.choices import Role
from gridmap.choices import code_prefix, level_for_code
from gridmap.demo.county import SEAT_TOWNSHIP
from gridmap.demo.logins import GRID_LEADER_GRID
from gridmap.demo.names import person_name
from gridmap.demo.reference import COUNTY_CODE
from incidents.choices import UnitKind
from incidents.demo.people import STAFF_PHONE_SERIAL, party_phone
from incidents.seed import DEPARTMENTS

COUNTY_DISPATCHER = "dispatcher"  # demo logins (gridmap.demo.logins)
SEAT_DISPATCHER = "township"
LEADER = "leader"
GRID_LEADER_LOGIN = "gridleader"
PLATFORM = "demo-platform"  # the online petition platform's API account
STAFF_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}
DEPARTMENT_MODES = {code: mode for code, _name, mode in DEPARTMENTS}


@dataclass(frozen=True)
class Unit:
    """A handling unit by what it is: a center (key = area code) or a department (key = code)."""

    kind: str
    key: str

    @property
    def area_code(self) -> str:
        return self.key if self.kind == UnitKind.CENTER else COUNTY_CODE

    @property
    def mode(self) -> str:
        return DEPARTMENT_MODES.get(self.key, "") if self.kind == UnitKind.DEPARTMENT else ""


def center(area_code: str) -> Unit:
    return Unit(UnitKind.CENTER, area_code)


def department(code: str) -> Unit:
    return Unit(UnitKind.DEPARTMENT, code)


def township_of(code: str) -> str:
    """The township code of a village, township or grid code."""
    return code[:9] + "000"


def parent_unit(unit: Unit) -> Unit:
    """Where an overdue matter escalates (as ``incidents.routing.parent_unit``)."""
    if unit.kind == UnitKind.DEPARTMENT or unit.key == COUNTY_CODE:
        return center(COUNTY_CODE)
    if level_for_code(unit.key) == "village":
        return center(township_of(unit.key))
    return center(COUNTY_CODE)


@dataclass(frozen=True)
class UserSpec:
    """A user the histories need; ``synthetic`` ones are created, demo logins must exist."""

    username: str
    role: str
    jurisdiction: str
    display_name: str = ""
    phone: str = ""
    departments: tuple[str, ...] = ()
    synthetic: bool = True


class Staff:
    """The actors of the histories and what each may do (mirrors ``services.acts_for``)."""

    def __init__(self, townships: dict[str, str], seed: int) -> None:
        rng = np.random.default_rng([seed, 6])
        self.users: dict[str, UserSpec] = {}
        self._serial = STAFF_PHONE_SERIAL
        for code, login in ((COUNTY_CODE, COUNTY_DISPATCHER), (SEAT_TOWNSHIP, SEAT_DISPATCHER)):
            self.users[login] = UserSpec(login, Role.DISPATCHER, code, synthetic=False)
        self.users[LEADER] = UserSpec(LEADER, Role.LEADERSHIP, COUNTY_CODE, synthetic=False)
        self._add(PLATFORM, Role.DISPATCHER, COUNTY_CODE, "网上信访平台接口")
        self._add(
            "demo-county-mediator", Role.DISPATCHER, COUNTY_CODE, "县调解员" + person_name(rng)
        )
        for code, name in sorted(townships.items()):
            if code != SEAT_TOWNSHIP:
                self._add(
                    f"demo-{code[:9]}-dispatch", Role.DISPATCHER, code, name + person_name(rng)
                )
            self._add(f"demo-{code[:9]}-mediate", Role.DISPATCHER, code, name + person_name(rng))
        for dept, dept_name, _mode in DEPARTMENTS:
            display = dept_name + person_name(rng)
            self._add(f"demo-dept-{dept}", Role.DISPATCHER, COUNTY_CODE, display, (dept,))

    def _add(self, username: str, role: str, area: str, name: str, depts: tuple = ()) -> None:
        phone = party_phone(self._serial)
        self._serial += 1
        self.users[username] = UserSpec(username, role, area, name, phone, depts)

    def grid_leader(self, grid_code: str, name: str, phone: str) -> str:
        """The account that reports from grid ``grid_code`` (created on first need)."""
        if grid_code == GRID_LEADER_GRID:
            username, synthetic = GRID_LEADER_LOGIN, False
        else:
            username, synthetic = f"demo-gl-{grid_code}", True
        if username not in self.users:
            self.users[username] = UserSpec(
                username, Role.GRID_LEADER, grid_code, name, phone, synthetic=synthetic
            )
        return username

    def dispatcher(self, unit: Unit) -> str:
        """Who takes in, assesses, routes, transfers and closes for ``unit``."""
        if unit.kind == UnitKind.DEPARTMENT or unit.key == COUNTY_CODE:
            return COUNTY_DISPATCHER
        township = township_of(unit.key)
        return SEAT_DISPATCHER if township == SEAT_TOWNSHIP else f"demo-{township[:9]}-dispatch"

    def handler(self, unit: Unit) -> str:
        """Who handles matters of ``unit``."""
        if unit.kind == UnitKind.DEPARTMENT:
            return f"demo-dept-{unit.key}"
        if unit.key == COUNTY_CODE:
            return "demo-county-mediator"
        return f"demo-{unit.key[:9]}-mediate"

    def acts_for(self, username: str, unit: Unit) -> bool:
        """Whether ``username`` works for ``unit``: a member, or staff whose area covers it."""
        user = self.users[username]
        if unit.kind == UnitKind.DEPARTMENT and unit.key in user.departments:
            return True
        prefix = code_prefix(user.jurisdiction, level_for_code(user.jurisdiction))
        return user.role in STAFF_ROLES and unit.area_code.startswith(prefix)
