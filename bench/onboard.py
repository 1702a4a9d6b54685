"""Benchmark: onboarding a county from its files, on the demo county. Prints figures; asserts
nothing; writes nothing that stays (every import runs inside a transaction rolled back at the end).

1. A synthetic ledger (labelled so) of N rows, half with WGS84 coordinates and half with place
   names only (乡镇 + 村 columns), imported with import_ledger's service: rows/s and total time
   (goal: 100,000 rows in ≤ 60 s on the 2-core machine).
2. A synthetic staff roster of M rows (grid leaders of the demo's grids) through import_people:
   time (goal: 10,000 rows in ≤ 10 s).
3. Place-name matching of K free-text addresses (巩昌镇北关村三社 …) against the full area tree:
   rows/s (goal: ≥ 20,000 rows/s).
Peak memory of the process (ru_maxrss) is printed after each part (goal: ≤ 1 GiB).

Run: .venv/bin/python bench/onboard.py [--ledger N] [--roster M] [--addresses K]
(defaults 100000 / 10000 / 100000; the demo county must be loaded: manage.py load_demo)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from gridmap.models import Area  # noqa: E402
from onboarding.ledger import import_ledger  # noqa: E402
from onboarding.people import import_people  # noqa: E402
from onboarding.places import AreaIndex  # noqa: E402
from onboarding.runs import ImportOptions  # noqa: E402

CATEGORIES = ("婚姻家庭纠纷", "土地承包纠纷", "山林水利纠纷", "邻里纠纷", "宅基地纠纷", "劳资纠纷")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class RollbackError(Exception):
    """Raised at the end so that nothing the bench imported stays."""


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _villages() -> list[tuple[str, str, float, float]]:
    rows = []
    for village in Area.objects.current().filter(level="village").select_related("parent"):
        point = village.label_point
        rows.append((village.parent.name, village.name, point.x, point.y))
    return rows


def write_ledger(path: Path, rows: int, rng: np.random.Generator) -> None:
    villages = _villages()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["合成数据（基准测试用，非真实台账）"])
    sheet.append(["编号", "登记时间", "纠纷类型", "简要情况", "当事人", "所属乡镇", "所属村",
                  "经度", "纬度", "化解结果", "办结时间"])  # fmt: skip
    start = np.datetime64("2021-01-01")
    for i in range(rows):
        township, village, lon, lat = villages[rng.integers(len(villages))]
        day = start + np.timedelta64(int(rng.integers(0, 1400)), "D")
        coords = i % 2 == 0
        sheet.append([
            f"BENCH-{i:06d}", str(day), CATEGORIES[i % len(CATEGORIES)], "合成纠纷", "甲某、乙某",
            "" if coords else township, "" if coords else village,
            lon + rng.normal(0, 0.002) if coords else None,
            lat + rng.normal(0, 0.002) if coords else None,
            "调解成功", str(day + np.timedelta64(3, "D")),
        ])  # fmt: skip
    workbook.save(path)


def _id_number(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def write_roster(path: Path, rows: int) -> None:
    grids = list(Area.objects.current().filter(level="grid").values_list("code", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(["姓名", "手机号", "身份证号", "网格编码", "职务"])
    born = dt.date(1960, 1, 1)
    for i in range(rows):
        birth = (born + dt.timedelta(days=i // 10)).strftime("%Y%m%d")
        sheet.append([f"合成{i}", f"137{i:08d}", _id_number(f"621122{birth}{i % 10:03d}"),
                      grids[i % len(grids)], "专职网格员"])  # fmt: skip
    workbook.save(path)


def timed(label: str, rows: int, run: object) -> object:
    began = time.perf_counter()
    result = run()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    print(f"{label}: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s); "
          f"peak memory {peak_mib():.0f} MiB")  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", type=int, default=100_000)
    parser.add_argument("--roster", type=int, default=10_000)
    parser.add_argument("--addresses", type=int, default=100_000)
    args = parser.parse_args()
    if not Area.objects.filter(level="grid").exists():
        raise SystemExit("No grid cells in the database: run `manage.py load_demo` first.")
    rng = np.random.default_rng(19)
    with tempfile.TemporaryDirectory() as tmp:
        ledger, roster = Path(tmp) / "ledger.xlsx", Path(tmp) / "roster.xlsx"
        write_ledger(ledger, args.ledger, rng)
        write_roster(roster, args.roster)
        try:
            with transaction.atomic():
                result = timed(
                    "import_ledger", args.ledger,
                    lambda: import_ledger(path=ledger, options=ImportOptions(skip_bad_rows=True)),
                )  # fmt: skip
                print(f"  {result.report.summary()}")
                result = timed(
                    "import_people --kind staff", args.roster,
                    lambda: import_people(path=roster, kind="staff", options=ImportOptions()),
                )  # fmt: skip
                print(f"  {result.report.summary()}")
                raise RollbackError
        except RollbackError:
            pass
    villages = _villages()
    addresses = [
        f"{villages[i][0] if i % 3 else ''}{villages[i][1]}{n}社"
        for i, n in zip(
            rng.integers(len(villages), size=args.addresses),
            rng.integers(1, 15, size=args.addresses),
            strict=True,
        )
    ]
    index = AreaIndex.load()

    def match() -> int:
        found = 0
        for address in addresses:
            try:
                index.in_address(address)
                found += 1
            except ValueError:
                pass
        return found

    found = timed("place-name matching (addresses)", len(addresses), match)
    print(f"  {found:,} of {len(addresses):,} addresses matched")


if __name__ == "__main__":
    main()
