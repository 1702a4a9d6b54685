"""Deterministic, named test geometries: a small county cut into squares.

Layout (WGS84 degrees, near Longxi, 0.01° ≈ 1.1 km): the county 621122000000 is the square
[104.60, 104.64] × [35.00, 35.02]. Township A (621122100000) is the west half, township B
(621122101000) the east half. Each township holds two villages side by side (x = 0.01 wide), and
each village two grid cells, south (…001) and north (…002). Shared edges are exact.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from accounts.tokens import issue_token
from gridmap.choices import AreaLevel, GridWorkerRole
from gridmap.models import Area, GridWorker

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
