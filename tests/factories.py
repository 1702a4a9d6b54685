"""Deterministic, named test data: a small county cut into squares, points and matters in it.

Layout (WGS84 degrees, near Longxi, 0.01° ≈ 1.1 km): the county 621122000000 is the square
[104.60, 104.64] × [35.00, 35.02]. Township A (621122100000) is the west half, township B
(621122101000) the east half. Each township holds two villages side by side (x = 0.01 wide), and
each village two grid cells, south (…001) and north (…002). Shared edges are exact.

Plain builders and constants live here; the fixtures built on them are in tests/fixtures/.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from pathlib import Path

import numpy as np
from django.apps import apps
from django.contrib.gis.geos import MultiPoint, MultiPolygon, Point, Polygon
from django.utils import timezone
from PIL import Image

from accounts.tokens import issue_token
from gridmap.choices import AreaLevel, GridWorkerRole
from gridmap.models import Area, GridWorker
from incidents.choices import IncidentKind, Result, Satisfaction, Source, State, Tier
from incidents.models import Category, Incident
from incidents.routing import center_for
from incidents.seed import CATEGORIES
from incidents.services import IntakeRequest, PhotoInput

X0, Y0 = 104.60, 35.00
STEP = 0.01
VALID_FROM = dt.date(2024, 1, 1)


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    """An axis-aligned rectangle as a WGS84 MultiPolygon."""
    polygon = Polygon.from_bbox((x0, y0, x1, y1))
    return MultiPolygon(polygon, srid=4326)


def make_area(
    code: str, name: str, level: str, parent: Area | None, geom: MultiPolygon, **extra
) -> Area:
    """An Area row with its display geometry and label point derived from ``geom``."""
    return Area.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        boundary=geom,
        display_boundary=geom,
        label_point=Point(geom.point_on_surface.x, geom.point_on_surface.y, srid=4326),
        valid_from=VALID_FROM,
        **extra,
    )


def make_network() -> dict[str, Area]:
    """The little county described above; returns every area by code."""
    areas: dict[str, Area] = {}
    county = make_area(
        "621122000000", "测试县", AreaLevel.COUNTY, None, box(X0, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
    )
    areas[county.code] = county
    townships = [("621122100", "甲镇"), ("621122101", "乙乡")]
    for t_index, (t_prefix, t_name) in enumerate(townships):
        tx = X0 + 2 * STEP * t_index
        township = make_area(
            f"{t_prefix}000",
            t_name,
            AreaLevel.TOWNSHIP,
            county,
            box(tx, Y0, tx + 2 * STEP, Y0 + 2 * STEP),
        )
        areas[township.code] = township
        for v_index in range(2):
            vx = tx + STEP * v_index
            village = make_area(
                f"{t_prefix}{v_index + 1:03d}",
                f"{t_name}{v_index + 1}村",
                AreaLevel.VILLAGE,
                township,
                box(vx, Y0, vx + STEP, Y0 + 2 * STEP),
            )
            areas[village.code] = village
            for g_index in range(2):
                gy = Y0 + STEP * g_index
                grid = make_area(
                    f"{village.code}{g_index + 1:03d}",
                    f"{village.name}第{g_index + 1}网格",
                    AreaLevel.GRID,
                    village,
                    box(vx, gy, vx + STEP, gy + STEP),
                )
                areas[grid.code] = grid
                GridWorker.objects.create(
                    area=grid,
                    name=f"网格长{grid.code[-6:]}",
                    role=GridWorkerRole.LEADER,
                    phone=f"1390000{grid.code[-4:]}",
                )
    return areas


def api_key(user) -> str:
    """A fresh API token key for ``user``, issued as the token endpoint issues it."""
    return issue_token(user=user, user_agent="tests")[1]


# --- matters -------------------------------------------------------------------------------------

_SEED_MIGRATION = "incidents.migrations.0002_seed_categories_and_append_only_trail"

# Points inside the network above: grid 621122100001001 is the south-west cell
# [104.60, 104.61] × [35.00, 35.01].
IN_GRID_A1_SOUTH = (104.605, 35.005)
IN_GRID_A1_NORTH = (104.605, 35.015)
IN_GRID_A2_SOUTH = (104.615, 35.005)
IN_GRID_B1_SOUTH = (104.625, 35.005)

# The north-west cell of township A: the analytics tests plant most of their matters there.
HOT_GRID = "621122100001002"


def seed_categories() -> None:
    """The migration's own seeding (get_or_create), so the table matches a migrated database."""
    if Category.objects.count() < len(CATEGORIES):
        importlib.import_module(_SEED_MIGRATION).seed_categories(apps, None)


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


def stored_files(root: Path) -> list[Path]:
    """Every file under MEDIA_ROOT."""
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def place_matters(
    network: dict[str, Area], category: Category, *, grid_code: str, month: dt.date, count: int
) -> list[Incident]:
    """``count`` handled matters in one grid cell, received on the first days of ``month``."""
    grid = network[grid_code]
    village, township, county = grid.parent, grid.parent.parent, grid.parent.parent.parent
    unit = center_for(village)
    rng = np.random.default_rng(len(grid_code) + month.month + count)
    x0, y0, x1, y1 = grid.boundary.extent
    made = []
    for i in range(count):
        lon = x0 + (x1 - x0) * (0.2 + 0.6 * rng.random())
        lat = y0 + (y1 - y0) * (0.2 + 0.6 * rng.random())
        received = timezone.make_aware(dt.datetime.combine(month, dt.time(9))) + dt.timedelta(
            days=i % 20, minutes=i
        )
        point = Point(lon, lat, srid=4326)
        made.append(
            Incident.objects.create(
                kind=IncidentKind.DISPUTE,
                category=category,
                tier=Tier.ORDINARY,
                title=f"测试事项{i}",
                description="测试",
                location=point,
                locations=MultiPoint(point, srid=4326),
                grid=grid,
                village=village,
                township=township,
                county=county,
                source=Source.WINDOW,
                handling_unit=unit,
                state=State.FOLLOWED_UP,
                result=Result.RESOLVED,
                satisfaction=Satisfaction.SATISFIED,
                received_at=received,
                due_at=received + dt.timedelta(days=1),
                handled_at=received + dt.timedelta(hours=5),
                followed_up_at=received + dt.timedelta(hours=30),
            )
        )
    return made
