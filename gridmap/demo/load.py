"""Write the generated demo county: areas through import_areas, grid leaders, demo logins.

One transaction: the county row carrying the demo marker means everything else is there too.
Every step is an upsert, so running it again changes nothing that is already right.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from gridmap.choices import AreaLevel, GridWorkerRole
from gridmap.demo.county import DemoCounty
from gridmap.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, GRID_LEADER_GRID, DemoLogin
from gridmap.demo.names import fictional_phone
from gridmap.demo.state import DEMO_SOURCE, DEMO_VALID_FROM, county_row
from gridmap.models import WGS84, Area, GridWorker
from gridmap.services import ImportResult, Tolerances, import_areas

# The demo tiles exactly (shared vertices), so anything above rounding noise is a generator bug.
DEMO_TOLERANCES = Tolerances(max_outside_pct=0.001, max_overlap_pct=0.001, max_uncovered_pct=0.001)
# Demo logins other than the grid leader get numbers from the top of the fictional block.
LOGIN_PHONE_SERIAL = 9_001


@dataclass(frozen=True)
class Changes:
    """Rows created / updated / left alone by one upsert."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class DemoLoadResult:
    """What load_demo_county wrote."""

    areas: ImportResult
    leaders: Changes
    logins: Changes


def load_demo_county(
    county: DemoCounty, *, reset_passwords: bool = False, progress: bool = False
) -> DemoLoadResult:
    """Import the demo areas, then upsert one synthetic leader per grid and the demo logins."""
    # A first load dates the boundaries to the demo's epoch; a re-run that changes a boundary
    # re-versions it from today (import_areas wants a later date than the version it replaces).
    valid_from = DEMO_VALID_FROM if county_row() is None else timezone.localdate()
    with transaction.atomic():
        areas = import_areas(
            county.areas,
            source=DEMO_SOURCE,
            source_crs="wgs84",
            valid_from=valid_from,
            tolerances=DEMO_TOLERANCES,
            progress=progress,
        )
        # Fresh planner statistics before the leaders are matched to the new grids: tables the
        # planner still believes empty turn that join into nested loops that run for minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE gridmap_area, gridmap_gridworker")
        leaders = upsert_leaders(county.leaders)
        logins = upsert_logins(county.leaders, reset_passwords=reset_passwords)
    return DemoLoadResult(areas=areas, leaders=leaders, logins=logins)


def upsert_leaders(leaders: gpd.GeoDataFrame) -> Changes:
    """One active synthetic leader per grid; a grid whose leader is a real person keeps them."""
    grid_ids = dict(
        Area.objects.current()
        .filter(level=AreaLevel.GRID, code__in=leaders["grid_code"].tolist())
        .values_list("code", "id")
    )
    current = {
        worker.area_id: worker
        for worker in GridWorker.objects.filter(
            area_id__in=grid_ids.values(), role=GridWorkerRole.LEADER, active=True
        )
    }
    create, update, unchanged = [], [], 0
    for code, name, phone, home in leaders[["grid_code", "name", "phone", "geometry"]].itertuples(
        index=False
    ):
        point = Point(home.x, home.y, srid=WGS84)
        worker = current.get(grid_ids[code])
        if worker is None:
            create.append(
                GridWorker(
                    area_id=grid_ids[code],
                    name=name,
                    role=GridWorkerRole.LEADER,
                    phone=phone,
                    active=True,
                    synthetic=True,
                    home_point=point,
                )
            )
        elif not worker.synthetic or _same_leader(worker, name, phone, point):
            unchanged += 1
        else:
            worker.name, worker.phone, worker.home_point = name, phone, point
            update.append(worker)
    GridWorker.objects.bulk_create(create, batch_size=1_000)
    GridWorker.objects.bulk_update(update, ["name", "phone", "home_point"], batch_size=500)
    return Changes(created=len(create), updated=len(update), unchanged=unchanged)


def _same_leader(worker: GridWorker, name: str, phone: str, point: Point) -> bool:
    home = worker.home_point
    same_home = home is not None and (home.x, home.y) == (point.x, point.y)
    return worker.name == name and worker.phone == phone and same_home


def upsert_logins(leaders: gpd.GeoDataFrame, *, reset_passwords: bool = False) -> Changes:
    """The demo users, one per role; new ones (all with ``reset_passwords``) get the password."""
    user_model = get_user_model()
    roles = {value for value, _label in user_model._meta.get_field("role").choices}
    areas = {
        area.code: area
        for area in Area.objects.current().filter(
            code__in=[login.jurisdiction_code for login in DEMO_LOGINS]
        )
    }
    leader = leaders.set_index("grid_code").loc[GRID_LEADER_GRID]
    created = updated = unchanged = 0
    for serial, login in enumerate(DEMO_LOGINS, start=LOGIN_PHONE_SERIAL):
        if login.role not in roles:
            raise ValueError(f"demo login {login.username}: unknown role {login.role!r}")
        wanted = _login_fields(login, areas[login.jurisdiction_code], leader, serial)
        user = user_model.objects.filter(username=login.username).first()
        if user is None:
            user = user_model(username=login.username, **wanted)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if reset_passwords:
            user.set_password(DEMO_PASSWORD)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
            updated += 1
        else:
            unchanged += 1
    return Changes(created=created, updated=updated, unchanged=unchanged)


def _login_fields(login: DemoLogin, area: Area, leader, serial: int) -> dict[str, object]:
    is_leader = login.jurisdiction_code == GRID_LEADER_GRID
    return {
        "role": login.role,
        "jurisdiction": area,
        "display_name": leader["name"] if is_leader else login.display_name,
        "phone": leader["phone"] if is_leader else fictional_phone(serial),
        "is_staff": login.superuser,
        "is_superuser": login.superuser,
        "is_active": True,
    }
