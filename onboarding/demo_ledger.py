"""The demo's years before the last as a synthetic ledger (台账), in the shape real ledgers have.

The rows come from the same plan as ``load_demo_incidents`` (``incidents.demo.plan``: same seed,
same day, same matters with their hot cells, seasons and near-repeats); that command writes the
last year with its live workflow, this module the years before it as a ledger file that the
ledger importer reads like any county's: Chinese headers, a number, registration and closing
times, the category as ledgers write it (婚姻家庭纠纷 …, mapped through the editable mapping),
a short account, the place (most rows with 经度/纬度, some by place name only, which the importer
places at the area's centre and marks approximate), the outcome (化解结果, the category's own
wording) and the responsible unit. The workbook says on its sheet and in its title row that it
is synthetic. Loading it is in ``onboarding.demo_ledger_load``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from incidents.choices import TIER_DEADLINE, Source, Tier
from incidents.demo.fate import draw_fate
from incidents.demo.grids import GridTable
from incidents.demo.outcomes import pick_outcome
from incidents.demo.plan import (
    DAYS,
    DEMO_YEARS,
    MatterSeed,
    Stream,
    live_start,
    plan_years,
    rng_for,
)
from incidents.routing import covering_code
from incidents.seed import CATEGORIES, DEPARTMENTS
from onboarding.seed import CATEGORY_TEXTS

LABEL = "合成示例数据 / synthetic demo data"
SHEET = "合成示例数据 synthetic demo"
TITLE = (
    f"{LABEL}：陇西县（演示）综治中心受理事项台账，由 manage.py load_demo_ledger 生成，"
    "人名、地点、事由均为虚构，不是真实记录 / generated, invented, not a real record"
)
FILE_NAME = "longxi-demo-ledger-synthetic.xlsx"
HEADERS = (
    "编号", "登记时间", "来源", "类别", "等级", "简要情况", "当事人", "地点", "所属乡镇",
    "所属村/社区", "所属网格", "经度", "纬度", "坐标系", "化解结果", "办结时间", "责任单位",
)  # fmt: skip
# Rows that give only the place's names (the importer puts them at the area's centre) …
BY_NAME_SHARE = 0.15
# … and of those, the ones that name only the village, not the grid.
VILLAGE_ONLY_SHARE = 0.35
SOURCE_TEXTS = {
    Source.FIELD: ("网格排查", "入户走访"),
    Source.WINDOW: ("来访登记", "窗口受理"),
    Source.HOTLINE: ("12345热线来电", "电话反映"),
    Source.API: ("网格员手机上报",),
}
PETITION_SOURCE = {
    "petition-letter": "来信",
    "petition-visit": "来访",
    "petition-online": "网上信访",
}
TIER_TEXTS = {Tier.ORDINARY: "一般", Tier.LARGER: "较大", Tier.MAJOR: "重大"}
_NAMES = {code: name for code, _kind, name, _en in CATEGORIES}
_DEPARTMENT_NAMES = {code: name for code, name, _mode in DEPARTMENTS}


def category_texts(code: str) -> tuple[str, ...]:
    """The texts a ledger writes for category ``code``: the seeded mapping's, else its name."""
    texts = tuple(text for text, mapped in CATEGORY_TEXTS if mapped == code and len(text) > 2)
    return texts or (_NAMES[code],)


@dataclass(frozen=True)
class Slice:
    """Which part of the ledger to make: the last ``months`` before the live year (None: all
    the years before it) in ``townships`` (codes or names; empty: all)."""

    months: int | None = None
    townships: tuple[str, ...] = ()

    def first_day(self, today: dt.date) -> dt.date | None:
        if self.months is None:
            return None
        return live_start(today) - dt.timedelta(days=round(self.months * DAYS / 12))


@dataclass
class LedgerFile:
    """What was written: the file, its rows and how many give only place names."""

    path: Path
    rows: int
    by_name: int
    first: dt.date | None
    last: dt.date | None
    months: Counter


def ledger_rows(
    grids: GridTable,
    *,
    seed: int,
    today: dt.date,
    tz: dt.tzinfo,
    part: Slice = Slice(),
    unit_names: dict[str, str],
) -> list[list[object]]:
    """The ledger's rows (values in HEADERS order) for the plan's matters before the live year.

    ``unit_names``: area code → name of its center's area (for 责任单位).
    """
    # The whole plan, whatever the slice: a slice is exactly that part of the full ledger.
    seeds = plan_years(grids, today=today, tz=tz, seed=seed, years=DEMO_YEARS)
    end = live_start(today)
    first = part.first_day(today)
    wanted = {t for t in part.townships}
    details = rng_for(seed, Stream.DETAILS, 1001)
    numbers: Counter = Counter()
    rows = []
    for index, matter in enumerate(seeds):
        day = matter.received_at.astimezone(tz).date()
        if day >= end:
            break
        numbers[day.year] += 1  # numbered over the whole ledger, whatever slice is made
        number = f"LXZZ-{day.year}-{numbers[day.year]:05d}"
        # The row's own draws come first, so a slice gives each matter the same row.
        by_name, village_only = details.random() < BY_NAME_SHARE, details.random()
        text_pick, source_pick = details.random(), details.random()
        cell = matter.grids[0]
        if first is not None and day < first:
            continue
        if wanted and not {grids.township_codes[cell], grids.township_names[cell]} & wanted:
            continue
        row = _row(matter, index, number, grids, seed=seed, tz=tz, unit_names=unit_names)
        row[3] = _choose(category_texts(matter.spec.code), text_pick)
        row[2] = PETITION_SOURCE.get(matter.spec.code) or _choose(
            SOURCE_TEXTS[matter.source], source_pick
        )
        if by_name:
            row[11] = row[12] = row[13] = ""
            if village_only < VILLAGE_ONLY_SHARE:
                row[10] = ""
        rows.append(row)
    return rows


def _choose(options: tuple[str, ...], draw: float) -> str:
    return options[min(int(draw * len(options)), len(options) - 1)]


def _row(
    matter: MatterSeed,
    index: int,
    number: str,
    grids: GridTable,
    *,
    seed: int,
    tz: dt.tzinfo,
    unit_names: dict[str, str],
) -> list[object]:
    # The same stream and draws as the matter's history would have (lifecycle.live).
    rng = rng_for(seed, Stream.LIFE, index)
    fate = draw_fate(matter, rng)
    tier = fate.new_tier or matter.tier
    due = matter.received_at + TIER_DEADLINE[tier]
    if fate.on_time_fraction is None:
        handled = due + fate.late_by
    else:
        handled = matter.received_at + (due - matter.received_at) * fate.on_time_fraction
    if fate.reopen:  # done again after a dissatisfied visit: later, and resolved this time
        handled += TIER_DEADLINE[tier] * float(rng.uniform(0.3, 0.9))
    resolved = not fate.unresolved or fate.reopen
    cell = matter.grids[0]
    lon, lat = matter.points[0]
    if fate.transfer and matter.spec.department:
        unit = _DEPARTMENT_NAMES[matter.spec.department]
    else:
        codes = [grids.codes[c] for c in matter.grids]
        area = covering_code(codes, multi_department=fate.multi_department)
        unit = f"{unit_names.get(area, area)}综治中心"
    return [
        number,
        _local(matter.received_at, tz),
        "",
        "",
        TIER_TEXTS[tier],
        f"{matter.title}。{matter.description}",
        "、".join(p.name for p in matter.parties),
        matter.address,
        grids.township_names[cell],
        grids.village_names[cell],
        grids.names[cell],
        round(lon, 6),
        round(lat, 6),
        "CGCS2000",
        pick_outcome(rng, matter.spec.code, resolved=resolved),
        _local(handled, tz),
        unit,
    ]


def _local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A naive local time to the minute, as a spreadsheet cell holds it."""
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def write_workbook(rows: list[list[object]], path: Path) -> LedgerFile:
    """Write ``rows`` under the synthetic label (sheet name and title row) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append([TITLE])
    sheet.append(list(HEADERS))
    months: Counter = Counter()
    for row in rows:
        sheet.append(row)
        months[f"{row[1]:%Y-%m}"] += 1
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)  # never a half-written ledger under the final name
    days = [row[1].date() for row in rows]
    return LedgerFile(
        path=path,
        rows=len(rows),
        by_name=sum(1 for row in rows if row[11] == ""),
        first=min(days, default=None),
        last=max(days, default=None),
        months=months,
    )


def township_filter(values: list[str] | None) -> tuple[str, ...]:
    """--township values (codes or names, comma-separated or repeated) as one tuple."""
    return tuple(
        part.strip() for value in values or [] for part in value.split(",") if part.strip()
    )
