"""The demo matters' actors: who takes each in, the synthetic accounts, departments and centers."""

from __future__ import annotations

import numpy as np
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gridmap.choices import AreaLevel, GridWorkerRole
from gridmap.demo.reference import COUNTY_CODE
from gridmap.models import Area, GridWorker
from incidents.choices import IncidentKind, Source, UnitKind
from incidents.demo.grids import GridTable
from incidents.demo.plan import MatterSeed
from incidents.demo.staff import (
    COUNTY_DISPATCHER,
    PLATFORM,
    Staff,
    Unit,
    UserSpec,
    center,
    department,
)
from incidents.models import HandlingUnit
from incidents.routing import center_for
from incidents.seed import DEPARTMENTS

BATCH = 2_000


class DemoIncidentsError(Exception):
    """The demo years cannot be loaded (or replaced); the message says why."""


def reporters(
    seeds: list[MatterSeed], grids: GridTable, staff: Staff, rng: np.random.Generator
) -> list[str]:
    """Who takes in each matter (username): the grid's leader in the field, center staff at the
    window."""
    leaders = {
        area_id: (name, phone)
        for area_id, name, phone in GridWorker.objects.filter(
            role=GridWorkerRole.LEADER, active=True
        ).values_list("area_id", "name", "phone")
    }
    reporters = []
    for matter in seeds:
        cell = matter.grids[0]
        if matter.source == Source.HOTLINE:
            reporters.append(COUNTY_DISPATCHER)  # the county center answers the hotline
        elif matter.source == Source.WINDOW:
            county_window = rng.random() < (0.6 if matter.kind == IncidentKind.PETITION else 0.25)
            local = staff.dispatcher(center(grids.village_codes[cell]))
            reporters.append(COUNTY_DISPATCHER if county_window else local)
        elif matter.kind == IncidentKind.PETITION:
            reporters.append(PLATFORM)
        else:
            name, phone = leaders.get(int(grids.ids[cell]), ("", ""))
            reporters.append(staff.grid_leader(grids.codes[cell], name, phone))
    return reporters


def ensure_users(staff: Staff) -> tuple[dict[str, int], int]:
    """Ids of every actor; synthetic ones are created (no usable password) if missing."""
    user_model = get_user_model()
    wanted = staff.users
    ids = dict(user_model.objects.filter(username__in=list(wanted)).values_list("username", "id"))
    missing_logins = sorted(u for u, spec in wanted.items() if not spec.synthetic and u not in ids)
    if missing_logins:
        raise DemoIncidentsError(
            _("Demo logins missing: %(logins)s; run manage.py load_demo --force.")
            % {"logins": ", ".join(missing_logins)}
        )
    new = [spec for username, spec in wanted.items() if username not in ids]
    areas = dict(
        Area.objects.current()
        .filter(code__in={spec.jurisdiction for spec in new})
        .values_list("code", "id")
    )
    users = [_new_user(user_model, spec, areas[spec.jurisdiction]) for spec in new]
    user_model.objects.bulk_create(users, batch_size=BATCH)
    ids |= {user.username: user.pk for user in users}
    return ids, len(users)


def _new_user(user_model: type, spec: UserSpec, area_id: int) -> object:
    user = user_model(
        username=spec.username,
        role=spec.role,
        jurisdiction_id=area_id,
        display_name=spec.display_name,
        phone=spec.phone,
        is_active=True,
    )
    user.set_unusable_password()
    return user


def ensure_units() -> dict[Unit, HandlingUnit]:
    """The county's departments and the center of every area of the demo county."""
    county = Area.objects.current().get(code=COUNTY_CODE)
    units: dict[Unit, HandlingUnit] = {}
    for code, name, mode in DEPARTMENTS:
        unit, _created = HandlingUnit.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": UnitKind.DEPARTMENT, "mode": mode, "area": county},
        )
        units[department(code)] = unit
    members = get_user_model().objects.filter(username__startswith="demo-dept-")
    for user in members:
        units[department(user.username.removeprefix("demo-dept-"))].members.add(user)
    areas = Area.objects.current().filter(
        code__startswith=COUNTY_CODE[:6], level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP,
                                                     AreaLevel.VILLAGE]
    )  # fmt: skip
    for area in areas:
        units[center(area.code)] = center_for(area)
    return units
