"""A small county with the names rosters use, and writers of the files counties send."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest
from django.apps import apps

from gridmap.choices import AreaLevel
from gridmap.models import Area
from tests.factories import STEP, X0, Y0, box, make_area, seed_categories

# 巩昌镇 (west) and 文峰镇 (east) both have a 北关村: a name that is only ever found within its
# township. Each village has two grids, 第1网格 (south) and 第2网格 (north).
TOWNSHIPS = (
    ("621122100", "巩昌镇", ("北关村", "东城社区")),
    ("621122101", "文峰镇", ("北关村", "西街村")),
)


@pytest.fixture
def county(db) -> dict[str, Area]:
    """The county, by code and by "township/village[/grid]" path."""
    areas: dict[str, Area] = {}
    county = make_area(
        "621122000000", "陇西县", AreaLevel.COUNTY, None, box(X0, Y0, X0 + 4 * STEP, Y0 + 2 * STEP)
    )
    areas[county.code] = county
    for t_index, (prefix, t_name, villages) in enumerate(TOWNSHIPS):
        tx = X0 + 2 * STEP * t_index
        township = make_area(
            f"{prefix}000",
            t_name,
            AreaLevel.TOWNSHIP,
            county,
            box(tx, Y0, tx + 2 * STEP, Y0 + 2 * STEP),
        )
        areas[township.code] = areas[t_name] = township
        for v_index, v_name in enumerate(villages):
            vx = tx + STEP * v_index
            village = make_area(
                f"{prefix}{v_index + 1:03d}", v_name, AreaLevel.VILLAGE, township,
                box(vx, Y0, vx + STEP, Y0 + 2 * STEP),
            )  # fmt: skip
            areas[village.code] = areas[f"{t_name}/{v_name}"] = village
            for g_index in range(2):
                gy = Y0 + STEP * g_index
                grid = make_area(
                    f"{village.code}{g_index + 1:03d}", f"{v_name}第{g_index + 1}网格",
                    AreaLevel.GRID, village, box(vx, gy, vx + STEP, gy + STEP),
                )  # fmt: skip
                areas[grid.code] = areas[f"{t_name}/{v_name}/{g_index + 1}"] = grid
    seed_categories()
    # The mapping's own seeding: a test of another package with a flushed database leaves it
    # empty (the migration's rows are gone) — as for the category table above.
    seed = importlib.import_module("onboarding.migrations.0002_seed_category_mapping")
    seed.seed(apps, None)
    return areas


def write_xlsx(
    path: Path, rows: list[list[object]], *, merge: list[str] = (), text_cols=()
) -> Path:
    """An .xlsx as Excel saves it; ``merge``: ranges such as "A1:F1" merged (a title row)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


def write_xls(
    path: Path, rows: list[list[object]], *, merge: list[tuple[int, int, int, int]] = ()
) -> Path:
    """An old .xls (BIFF8) as WPS saves it; ``merge``: (r1, r2, c1, c2) zero-based, inclusive."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    merged = {(r1, c1): (r1, r2, c1, c2) for r1, r2, c1, c2 in merge}
    covered = {
        (r, c) for r1, r2, c1, c2 in merge for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
    }
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged:
                sheet.write_merge(*merged[(r, c)], value)
            elif (r, c) not in covered and value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path
