"""import_ledger: years of a county's ledgers (台账) brought in as closed matters.

Planning reads and checks every row (dates, category, place or coordinates) and locates it;
nothing is written while any row is bad (unless the bad rows are skipped). A matter is known by
its ledger number and date (or, without a number, by its content): importing the same ledger
twice adds nothing. Writing is in ledger_write.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.coords import CoordinateError, InputCRS, parse_point
from gridmap.queries import bulk_locate, nearest_grid
from incidents.choices import IncidentKind, Result, Source, Tier
from incidents.models import Category
from onboarding.choices import ImportKind
from onboarding.columns import Columns, find_columns
from onboarding.models import ImportedMatter
from onboarding.people import RowReader
from onboarding.places import AreaIndex, Place, PlaceError
from onboarding.report import Report
from onboarding.runs import ImportOptions, ImportResult, new_batch
from onboarding.skills import CategoryMatcher
from onboarding.tabular import data_rows, read_table
from onboarding.validators import clean_text, parse_moment

# A point farther than this from every grid is a wrong coordinate, not a matter next door.
MAX_OUTSIDE_M = 5000.0
_UNRESOLVED = re.compile(r"未化解|未成功|不成功|未果|失败|未解决|调解不成")
_TIERS = {"一般": Tier.ORDINARY, "较大": Tier.LARGER, "重大": Tier.MAJOR, "疑难": Tier.MAJOR,
          "重大疑难": Tier.MAJOR}  # fmt: skip
_SOURCES = ((re.compile(r"来电|热线|电话|12345"), Source.HOTLINE),
            (re.compile(r"排查|网格|走访|巡查"), Source.FIELD),
            (re.compile(r"来访|窗口|来信|登记"), Source.WINDOW))  # fmt: skip
_CRS = {"wgs84": InputCRS.WGS84, "cgcs2000": InputCRS.WGS84, "gcj02": InputCRS.GCJ02,
        "gcj": InputCRS.GCJ02, "火星": InputCRS.GCJ02, "高德": InputCRS.GCJ02,
        "bd09": InputCRS.BD09, "百度": InputCRS.BD09, "gps": InputCRS.WGS84,
        "天地图": InputCRS.WGS84}  # fmt: skip


def crs_of(text: str) -> str | None:
    """wgs84 / gcj02 / bd09 from a CRS cell or a header note (经度(GCJ-02)); None if unknown."""
    key = re.sub(r"[\s\-_/]", "", clean_text(text)).lower()
    for name, crs in _CRS.items():
        if name in key:
            return crs
    return None


@dataclass
class LedgerRow:
    """One checked row, ready to write."""

    row: int
    key: str
    number: str
    received: dt.datetime
    closed: dt.datetime
    category: Category
    category_text: str
    title: str
    description: str
    parties: list[str]
    address: str
    outcome: str
    result: str
    tier: str
    source: str
    input_crs: str
    lon: float = 0.0
    lat: float = 0.0
    area: Place | None = None  # placed by name: the area whose label point it gets
    grid_id: int = 0
    outside_m: float | None = None
    unit: str = ""  # 责任单位 as written (kept on ImportedMatter)


@dataclass
class LedgerPlan:
    """The checked rows of a ledger, located, with what is already imported left out."""

    rows: list[LedgerRow] = field(default_factory=list)
    new: list[LedgerRow] = field(default_factory=list)


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _key(number: str, received: dt.datetime, parts: list[str]) -> str:
    if number:
        return f"n:{number}|{received:%Y-%m-%d}"[:100]
    digest = hashlib.sha256("\x1f".join([f"{received:%Y-%m-%d %H:%M}", *parts]).encode())
    return f"h:{digest.hexdigest()}"


class LedgerReader:
    """Checks the rows of one ledger against the category table and the area tree."""

    def __init__(
        self, *, columns: Columns, report: Report, kind: str, crs: str, index: AreaIndex
    ) -> None:
        self.columns, self.report, self.kind = columns, report, kind
        self.index = index
        self.matcher = CategoryMatcher()
        self.other = self._other_category(kind)
        header_crs = crs_of(" ".join(columns.headers[i] for i in _present(columns, "lon", "lat")))
        self.default_crs = header_crs or crs
        self.seen: dict[str, int] = {}

    def _other_category(self, kind: str) -> Category:
        code = {IncidentKind.DISPUTE: "dispute-other", IncidentKind.HAZARD: "hazard-other"}
        category = self.matcher.by_code.get(code.get(kind, ""))
        if category is None:
            category = Category.objects.filter(kind=kind).order_by("position").first()
        return category

    def read(self, reader: RowReader) -> LedgerRow | None:
        received = reader.parse("received", parse_moment)
        if received is None and reader.ok:
            reader.fail("received", _("The date of registration is empty."))
        closed = reader.parse("closed", parse_moment)
        if received is not None and closed is not None and closed < received:
            reader.fail("closed", _("The matter was closed before it was registered."))
        category_text = reader.text("category")
        category = self.matcher.find(category_text)
        if category is None:
            category = self.other
            if category_text:
                reader.report.warn(
                    reader.row,
                    self.columns.header_of("category"),
                    _("Category %(text)s is not mapped: imported as %(other)s, the text kept.")
                    % {"text": category_text, "other": self.other.name},
                )
        located = self._locate(reader)
        if not reader.ok or received is None:
            return None
        number, description = reader.text("number"), reader.text("description")
        parties = [p for p in re.split(r"[、,，;；/\s]+|与", reader.text("parties")) if p]
        address = reader.text("address")
        key = _key(number, received, [category_text, description, *parties, address])
        first = self.seen.setdefault(key, reader.row)
        if first != reader.row:
            reader.fail("number", _("The same matter as row %(row)d.") % {"row": first})
            return None
        outcome = reader.text("outcome")
        row = LedgerRow(
            row=reader.row,
            key=key,
            number=number[:60],
            received=_aware(received),
            closed=_aware(closed or received),
            category=category,
            category_text=category_text[:100],
            title=(description or category_text or category.name)[:100],
            description=description or category_text or category.name,
            parties=parties,
            address=(address or "".join(
                reader.text(f) for f in ("township", "village", "grid")))[:200],
            outcome=outcome,
            result=Result.UNRESOLVED if _UNRESOLVED.search(outcome) else Result.RESOLVED,
            tier=_TIERS.get(reader.text("tier"), Tier.ORDINARY),
            source=next((s for p, s in _SOURCES if p.search(reader.text("source"))), Source.WINDOW),
            input_crs=InputCRS.WGS84,
            unit=reader.text("unit")[:100],
        )  # fmt: skip
        if isinstance(located, Place):
            row.area = located
        else:
            row.lon, row.lat, row.input_crs = located
        return row

    def _locate(self, reader: RowReader) -> Place | tuple[float, float, str] | None:
        lon, lat = reader.text("lon"), reader.text("lat")
        if lon or lat:
            crs = crs_of(reader.text("crs")) if reader.text("crs") else self.default_crs
            if crs is None:
                reader.fail(
                    "crs", _("Unknown coordinate system; write WGS84, CGCS2000, GCJ-02 or BD-09.")
                )
                return None
            try:
                point = parse_point(lon, lat, crs)
            except CoordinateError as error:
                reader.fail("lat" if error.field == "lat" else "lon", error.message)
                return None
            return point.lon, point.lat, crs
        code = reader.text("area_code")
        names = [reader.text(f) for f in ("township", "village", "grid")]
        address = reader.text("address")
        try:
            if code:
                return self.index.by_area_code(code)
            if any(names):
                return self.index.find(township=names[0], village=names[1], grid=names[2])
            if address:
                return self.index.in_address(address)
        except PlaceError as error:
            reader.fail(error.field, error.reason)
            return None
        reader.fail("address", _("The row has neither coordinates nor a place name."))
        return None

    def locate_all(self, rows: list[LedgerRow]) -> None:
        """Grid of every row: the point's grid, or (by name) the grid under the label point."""
        from gridmap.models import Area

        areas = {row.area.id for row in rows if row.area is not None}
        labels = {
            pk: (point.x, point.y)
            for pk, point in Area.objects.filter(id__in=areas).values_list("id", "label_point")
        }
        for row in rows:
            if row.area is not None:
                row.lon, row.lat = labels[row.area.id]
        if not rows:
            return
        grids = bulk_locate(np.array([r.lon for r in rows]), np.array([r.lat for r in rows]))
        for row, grid_id in zip(rows, grids, strict=True):
            if row.area is not None and row.area.level == "grid":
                row.grid_id = row.area.id
            elif grid_id:
                row.grid_id = int(grid_id)
            else:
                nearest = nearest_grid(row.lon, row.lat)
                place = self.index.by_code.get(nearest.grid.code) if nearest else None
                if place is not None:
                    row.grid_id = place.id
                    row.outside_m = nearest.distance_m

    def check_outside(self, rows: list[LedgerRow]) -> None:
        for row in rows:
            if row.grid_id and row.grid_id not in self.index.by_id:
                self.report.error(
                    row.row,
                    self.columns.header_of("lon"),
                    _("The point %(lon).5f, %(lat).5f lies outside your jurisdiction.")
                    % {"lon": row.lon, "lat": row.lat},
                )
            elif row.grid_id == 0 or (row.outside_m or 0) > MAX_OUTSIDE_M:
                self.report.error(
                    row.row,
                    self.columns.header_of("lon"),
                    _("The point %(lon).5f, %(lat).5f lies %(km).1f km outside every grid: "
                      "check the coordinates and their coordinate system.")
                    % {"lon": row.lon, "lat": row.lat, "km": (row.outside_m or 0) / 1000},
                )  # fmt: skip


def _present(columns: Columns, *fields: str) -> list[int]:
    return [columns.fields[f] for f in fields if f in columns.fields]


def import_ledger(
    *, path: Path, options: ImportOptions, kind: str = IncidentKind.DISPUTE, crs: str = "wgs84"
) -> ImportResult:
    """Read, check and (unless refused or dry) write one ledger as closed, imported matters."""
    from onboarding.ledger_write import write_matters

    raw = read_table(path, sheet=options.sheet)
    columns = find_columns(raw, ImportKind.LEDGER, extra=options.columns, required=("received",))
    report = Report()
    index = AreaIndex.load(within=options.within)  # type: ignore[arg-type]
    reader = LedgerReader(columns=columns, report=report, kind=kind, crs=crs, index=index)
    rows: list[LedgerRow] = []
    for number, cells in data_rows(raw, columns.first_data_index):
        report.rows += 1
        row = reader.read(RowReader(columns, report, number, cells))
        if row is not None:
            rows.append(row)
    cells_by_row = {number: cells for number, cells in data_rows(raw, columns.first_data_index)}
    known = set(
        ImportedMatter.objects.filter(key__in=[r.key for r in rows]).values_list("key", flat=True)
    )
    new = [row for row in rows if row.key not in known]
    reader.locate_all(new)
    reader.check_outside(new)
    for problem in report.errors:
        report.bad_rows.setdefault(problem.row, cells_by_row.get(problem.row, []))
    result = ImportResult(report=report, columns=columns)
    bad = report.bad_row_numbers
    report.skipped = len(bad)
    if bad and not options.skip_bad_rows:
        result.refused = True
        return result
    new = [row for row in new if row.row not in bad]
    report.created = len(new)
    report.unchanged = len([row for row in rows if row.key in known])
    if options.dry_run:
        return result
    with transaction.atomic():
        result.batch = new_batch(kind=ImportKind.LEDGER, path=path, options=options, report=report)
        write_matters(new, batch=result.batch, index=reader.index)
    return result
