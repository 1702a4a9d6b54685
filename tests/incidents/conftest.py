"""Fixtures for incidents: users at each level of the test network, departments, a quick intake."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps
from django.test import Client
from PIL import Image

from accounts.choices import Role
from incidents import services
from incidents.choices import DepartmentMode, State, UnitKind
from incidents.models import Category, HandlingUnit, Incident
from incidents.routing import center_for
from incidents.seed import CATEGORIES
from incidents.services import IntakeRequest, PhotoInput, take_in

_SEED_MIGRATION = "incidents.migrations.0002_seed_categories_and_append_only_trail"

# Points inside the test network (tests/factories.py): grid 621122100001001 is the south-west
# cell [104.60, 104.61] × [35.00, 35.01].
IN_GRID_A1_SOUTH = (104.605, 35.005)
IN_GRID_A1_NORTH = (104.605, 35.015)
IN_GRID_A2_SOUTH = (104.615, 35.005)
IN_GRID_B1_SOUTH = (104.625, 35.005)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Eight users per test: the production hasher would spend most of the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _seed_categories() -> None:
    """The migration's own seeding (get_or_create), so the table matches a migrated database."""
    if Category.objects.count() < len(CATEGORIES):
        importlib.import_module(_SEED_MIGRATION).seed_categories(apps, None)


@pytest.fixture(scope="session", autouse=True)
def category_table(django_db_setup, django_db_blocker):
    """The seeded category table, before and after the session.

    Transactional tests (threads with their own connections) end with a flush that empties
    every table, the migration's seed data included; with --reuse-db the next run would start
    without categories. Seeding again at both ends keeps the reused database as migrated.
    """
    with django_db_blocker.unblock():
        _seed_categories()
    yield
    with django_db_blocker.unblock():
        _seed_categories()


@pytest.fixture
def categories(db) -> None:
    """Categories present inside a test, also after an earlier transactional test's flush."""
    _seed_categories()


@pytest.fixture
def people(network, make_user, categories) -> dict[str, object]:
    """A county dispatcher, a township dispatcher, two grid leaders, a leader, a responder."""
    return {
        "county": make_user("county", Role.DISPATCHER, network["621122000000"]),
        "admin": make_user("admin", Role.COUNTY_ADMIN, network["621122000000"]),
        "township": make_user("township", Role.DISPATCHER, network["621122100000"]),
        "village": make_user("village", Role.DISPATCHER, network["621122100001"]),
        "leader_a1": make_user("leader_a1", Role.GRID_LEADER, network["621122100001001"]),
        "leader_b1": make_user("leader_b1", Role.GRID_LEADER, network["621122101001001"]),
        "boss": make_user("boss", Role.LEADERSHIP, network["621122000000"]),
        "responder": make_user("responder", Role.RESPONDER, network["621122100000"]),
    }


@pytest.fixture
def as_user(people):
    """A client signed in (session) as one of ``people``, asking for English."""

    def build(name: str) -> Client:
        client = Client(headers={"accept-language": "en"})
        client.force_login(people[name])
        return client

    return build


@pytest.fixture
def departments(network) -> dict[str, HandlingUnit]:
    """One department of each handling mode, seated at the county center."""
    county = network["621122000000"]
    return {
        mode: HandlingUnit.objects.create(
            code=f"dept-{mode}",
            name=f"部门{mode}",
            kind=UnitKind.DEPARTMENT,
            mode=mode,
            area=county,
        )
        for mode in DepartmentMode.values
    }


def intake_request(**overrides) -> IntakeRequest:
    """A valid field report of a neighbours' dispute in grid A1 south, changed by ``overrides``."""
    values = {
        "category": "neighbours",
        "tier": "ordinary",
        "title": "邻里因排水沟发生争执",
        "description": "两户因院墙排水问题争吵，需调解。",
        "points": [IN_GRID_A1_SOUTH],
    }
    values.update(overrides)
    return IntakeRequest(**values)


@pytest.fixture
def intake(people):
    """Take in a matter as ``reporter`` (default: grid leader A1) and return the Incident."""

    def run(reporter=None, **overrides):
        result = take_in(
            request=intake_request(**overrides), reporter=reporter or people["leader_a1"]
        )
        return result.incident

    return run


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small real image made in memory (a colour gradient, so it does not compress to nothing)."""
    image = Image.new("RGB", size)
    image.putdata([(x * 5 % 256, y * 7 % 256, 90) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def photo(fmt: str = "JPEG", name: str = "", size: tuple[int, int] = (40, 30)) -> PhotoInput:
    """A PhotoInput as a view hands it over."""
    content = image_bytes(fmt, size)
    return PhotoInput(file=io.BytesIO(content), name=name or f"p.{fmt.lower()}", size=len(content))


def stored_files(root) -> list:
    """Every file under MEDIA_ROOT."""
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# The usual path of a matter in grid A1 south (village center 621122100001): the village
# dispatcher assesses, routes, handles; the township dispatcher visits and closes.
_PATH: tuple[tuple[str, str, dict], ...] = (
    (State.ASSESSED, "village", {}),
    (State.ROUTED, "village", {}),
    (State.IN_PROGRESS, "village", {}),
    (State.RESOLVED, "village", {"outcome": "双方达成协议"}),
    (State.FOLLOWED_UP, "township", {"satisfaction": "satisfied"}),
    (State.CLOSED, "township", {}),
)
_ACTION_FOR = {
    State.ASSESSED: services.assess,
    State.ROUTED: services.route,
    State.IN_PROGRESS: services.start,
    State.RESOLVED: services.resolve,
    State.FOLLOWED_UP: services.follow_up,
    State.CLOSED: services.close,
}


@pytest.fixture
def walk(people):
    """Drive a matter from where it is along the usual path until it reaches ``state``."""
    order = [State.RECEIVED] + [target for target, _who, _kwargs in _PATH]

    def run(incident: Incident, state: str, **overrides: dict) -> Incident:
        incident.refresh_from_db(fields=["state"])  # other steps may have moved it meanwhile
        for target, who, kwargs in _PATH[order.index(incident.state) : order.index(state)]:
            options = {**kwargs, **overrides.get(target, {})}
            _ACTION_FOR[target](incident_id=incident.pk, actor=people[who], **options)
        incident.refresh_from_db()
        assert incident.state == state
        return incident

    return run


@pytest.fixture
def scattered_matters(intake, people, walk, network, departments) -> list:
    """Matters in another village, another township, transferred to a township and a department."""
    in_a1 = intake()
    in_a2 = intake(reporter=people["village"], points=[IN_GRID_A2_SOUTH])
    in_b1 = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH])
    to_township_b = walk(intake(), State.ROUTED)
    services.transfer(
        incident_id=to_township_b.pk,
        actor=people["village"],
        to_unit=center_for(network["621122101000"]),
        note="当事人住乙乡",
    )
    to_department = walk(intake(), State.ROUTED)
    services.transfer(
        incident_id=to_department.pk,
        actor=people["village"],
        to_unit=departments["report_back"],
        note="转县部门",
    )
    return [in_a1, in_a2, in_b1, to_township_b, to_department]
