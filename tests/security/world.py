"""The objects the authorization matrix probes: one of each kind inside township A, one in B.

Built once per test module inside an outer transaction (tests/security/conftest.py); every probe
runs in its own savepoint, so a write that succeeds is rolled back before the next probe.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from analytics.models import HotspotRun, StoredBriefing
from analytics.periods import parse_period
from analytics.stored import briefings_root, relative_paths
from gridmap.choices import GridWorkerRole
from gridmap.models import Area, GridWorker
from incidents import services
from incidents.models import Category, Incident
from incidents.services import IntakeRequest, PartyInput, take_in
from tests.factories import make_network, photo
from volunteers.choices import ResponderKind, ResponderStatus
from volunteers.models import Assignment, Responder
from volunteers.services import assign

TOWNSHIP_A, TOWNSHIP_B = "621122100000", "621122101000"
GRID_A, GRID_B = "621122100001001", "621122101001001"
POINT = {"in": (104.605, 35.005), "out": (104.625, 35.005)}
# The roles' users: each at township A (the grid leader at grid A1 south, inside A).
PROBED = {
    Role.COUNTY_ADMIN: TOWNSHIP_A,
    Role.DISPATCHER: TOWNSHIP_A,
    Role.GRID_LEADER: GRID_A,
    Role.RESPONDER: TOWNSHIP_A,
    Role.LEADERSHIP: TOWNSHIP_A,
}
# Strings of township B's objects that no user at township A may ever receive.
OUT_MARKERS = (
    "乙乡越界标记事项",
    "乙乡越界当事人",
    "乙乡越界调解组",
    "乙乡越界网格员",
    "13811112222",
)


@dataclass
class Side:
    """The objects of one side (inside or outside the probing users' jurisdiction)."""

    area: Area
    grid: Area
    matter: Incident
    photo_id: int
    unit: Responder
    assignment: Assignment
    run: HotspotRun
    briefing: StoredBriefing
    point: tuple[float, float]


@dataclass
class World:
    users: dict[str, User]
    sides: dict[str, Side]


def tile_of(lon: float, lat: float, z: int = 14) -> dict[str, int]:
    """The slippy-map tile z/x/y holding (lon, lat)."""
    n = 2**z
    rad = math.radians(lat)
    y = int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n)
    return {"z": z, "x": int((lon + 180) / 360 * n), "y": y}


def _matter(reporter: User, point: tuple[float, float], title: str, party: str) -> Incident:
    request = IntakeRequest(
        category="neighbours",
        tier="ordinary",
        title=title,
        description="授权矩阵测试用事项。",
        points=[point],
        parties=[PartyInput(name=party, phone="13811112222" if "乙" in party else "13800001111")],
        photos=[photo()],
    )
    matter = take_in(request=request, reporter=reporter).incident
    for action in (services.assess, services.route):
        action(incident_id=matter.pk, actor=reporter)
    matter.refresh_from_db()
    return matter


def _stored_briefing(township: Area) -> StoredBriefing:
    """A stored monthly briefing of ``township`` with small stand-in files (none is built)."""
    period = parse_period("2026-10")
    html_path, pdf_path = relative_paths(township, period)
    for relative, content in ((html_path, b"<!doctype html><p>briefing</p>"), (pdf_path, b"%PDF-")):
        path = briefings_root() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return StoredBriefing.objects.create(
        area=township,
        kind=period.kind,
        period_label=period.label,
        period_start=period.start,
        period_end=period.end,
        html_path=html_path,
        pdf_path=pdf_path,
        html_size=30,
        pdf_size=5,
        duration_s=0.1,
    )


def _side(key: str, network: dict[str, Area], responder_user: User) -> Side:
    township = network[TOWNSHIP_A if key == "in" else TOWNSHIP_B]
    grid = network[GRID_A if key == "in" else GRID_B]
    village = grid.parent
    tag = "甲镇矩阵" if key == "in" else "乙乡越界标记"
    clerk = User.objects.create_user(
        username=f"clerk-{key}", password="x", role=Role.DISPATCHER, jurisdiction=village
    )
    matter = _matter(
        clerk, POINT[key], f"{tag}事项", "甲镇当事人" if key == "in" else "乙乡越界当事人"
    )
    GridWorker.objects.create(
        area=grid,
        name="甲镇网格员" if key == "in" else "乙乡越界网格员",
        role=GridWorkerRole.MEMBER,
    )
    unit = Responder.objects.create(
        name="甲镇调解组" if key == "in" else "乙乡越界调解组",
        kind=ResponderKind.MEDIATOR,
        home_area=township,
        position=Point(*POINT[key], srid=4326),
        position_at=timezone.now() - dt.timedelta(minutes=1),
        status=ResponderStatus.AVAILABLE,
        phone="13900002222",
    )
    unit.skills.set(Category.objects.filter(code="neighbours"))
    unit.members.set([responder_user])
    done = assign(incident_id=matter.pk, actor=clerk, responder_id=unit.pk)
    today = timezone.localdate()
    run = HotspotRun.objects.create(
        area=township,
        unit="grid",
        weights="queen",
        period_label=f"{today.year}",
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year + 1, 1, 1),
    )
    return Side(
        area=township,
        grid=grid,
        matter=matter,
        photo_id=matter.photos.get().pk,
        unit=unit,
        assignment=done.assignment,
        run=run,
        briefing=_stored_briefing(township),
        point=POINT[key],
    )


def build_world() -> World:
    """The network, one user per role at township A, and the objects of both sides."""
    network = make_network()
    users = {
        role: User.objects.create_user(
            username=f"probe-{role}", password="x", role=role, jurisdiction=network[code]
        )
        for role, code in PROBED.items()
    }
    outsider = User.objects.create_user(
        username="responder-b", password="x", role=Role.RESPONDER, jurisdiction=network[TOWNSHIP_B]
    )
    sides = {
        "in": _side("in", network, users[Role.RESPONDER]),
        "out": _side("out", network, outsider),
    }
    return World(users=users, sides=sides)
