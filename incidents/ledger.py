"""The ledger (台账): any filtered list of matters as an Excel workbook or a CSV file.

The headers are fixed Chinese (a government ledger format, not translated) and the values are
written in Chinese whatever the user's language. Cells have real types: times are Excel
datetimes in local time, codes are text (so a 15-digit grid code never becomes 6.21E+14),
numbers are numbers and flags are 是/否. Parties are masked as incidents.privacy decides for the
user who exports.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from incidents.models import Incident
from incidents.privacy import may_see_parties, party_view

LEDGER_LANGUAGE = "zh-hans"
CHUNK_SIZE = 2000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
TEXT_FORMAT = "@"
YES, NO = "是", "否"
# Characters that make a spreadsheet read a CSV cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | dt.datetime | bool | None


class Kind:
    """How a column's values are typed in the workbook."""

    TEXT = "text"  # user or label text
    CODE = "code"  # digits that must stay text
    TIME = "time"  # an aware datetime, written local and tz-naive
    NUMBER = "number"
    FLAG = "flag"  # a bool, written 是/否


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float
    value: Callable[[Incident, str], Value]


def _label(choice_field: str) -> Callable[[Incident, str], Value]:
    return lambda incident, _parties: getattr(incident, f"get_{choice_field}_display")()


def _attr(path: str) -> Callable[[Incident, str], Value]:
    def read(incident: Incident, _parties: str) -> Value:
        value: object = incident
        for name in path.split("."):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value  # type: ignore[return-value]

    return read


def _overdue(incident: Incident, _parties: str) -> bool:
    # Still open past its deadline, or handled after it: both count as overdue in the ledger.
    return incident.is_overdue or incident.was_late


def _owner_leader(incident: Incident, _parties: str) -> str:
    return str(incident.owner_leader) if incident.owner_leader_id else ""


# The government ledger's columns, in order; headers are fixed Chinese on purpose.
COLUMNS: tuple[Column, ...] = (
    Column("编号", Kind.CODE, 16, _attr("number")),
    Column("受理时间", Kind.TIME, 17, _attr("received_at")),
    Column("类型", Kind.TEXT, 8, _label("kind")),
    Column("类别", Kind.TEXT, 12, _attr("category.label")),
    Column("等级", Kind.TEXT, 10, _label("tier")),
    Column("标题", Kind.TEXT, 28, _attr("title")),
    Column("事项描述", Kind.TEXT, 48, _attr("description")),
    Column("地址", Kind.TEXT, 24, _attr("address")),
    Column("乡镇", Kind.TEXT, 12, _attr("township.name")),
    Column("村(社区)", Kind.TEXT, 14, _attr("village.name")),
    Column("网格", Kind.TEXT, 18, _attr("grid.name")),
    Column("网格代码", Kind.CODE, 18, _attr("grid.code")),
    Column("办理单位", Kind.TEXT, 20, _attr("handling_unit.name")),
    Column("状态", Kind.TEXT, 10, _label("state")),
    Column("办理期限", Kind.TIME, 17, _attr("due_at")),
    Column("是否逾期", Kind.FLAG, 9, _overdue),
    Column("办结时间", Kind.TIME, 17, _attr("handled_at")),
    Column("办理结果", Kind.TEXT, 36, _attr("outcome")),
    Column("化解情况", Kind.TEXT, 10, _label("result")),
    Column("回访时间", Kind.TIME, 17, _attr("followed_up_at")),
    Column("满意度", Kind.TEXT, 10, _label("satisfaction")),
    Column("挂牌督办", Kind.FLAG, 9, _attr("supervised")),
    Column("领导包案", Kind.TEXT, 10, _owner_leader),
    Column("来源", Kind.TEXT, 12, _label("source")),
    Column("当事人", Kind.TEXT, 36, lambda _incident, parties: parties),
    Column("经度", Kind.NUMBER, 12, lambda incident, _p: round(incident.location.x, 6)),
    Column("纬度", Kind.NUMBER, 12, lambda incident, _p: round(incident.location.y, 6)),
    # 是: a matter imported from a past ledger with only a place name, placed at that area's
    # label point; the coordinates beside it are not where it happened.
    Column("位置为近似", Kind.FLAG, 11, _attr("location_approximate")),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)


class _PartyAccess:
    """may_see_parties for one user over many matters, without a query per matter.

    The answer depends only on the matter's reporter, grid and handling unit, so it is computed
    once per distinct combination (a few thousand at most in a county).
    """

    def __init__(self, user: object) -> None:
        self.user = user
        self.answers: dict[tuple[int | None, int, int], bool] = {}

    def unmasked(self, incident: Incident) -> bool:
        user_id = getattr(self.user, "pk", None)
        reported = incident.reporter_id is not None and incident.reporter_id == user_id
        key = (user_id if reported else None, incident.grid_id, incident.handling_unit_id)
        if key not in self.answers:
            self.answers[key] = may_see_parties(self.user, incident)
        return self.answers[key]


def _parties_text(incident: Incident, access: _PartyAccess) -> str:
    """申请人：张三 13912345678；被申请人：李** 139****5678 (masked as the user may see them)."""
    unmasked = access.unmasked(incident)
    parts = []
    for party in incident.parties.all():
        shown = party_view(party, unmasked=unmasked)
        details = " ".join(v for v in (shown["name"], shown["phone"], shown["id_number"]) if v)
        parts.append(f"{shown['role_label']}：{details}")
    return "；".join(parts)


def ledger_queryset(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """What the ledger reads: related rows joined, parties prefetched, oldest first."""
    return (
        queryset.select_related(
            "category", "grid", "village", "township", "handling_unit", "owner_leader"
        )
        .prefetch_related("parties")
        .order_by("received_at", "pk")
    )


def ledger_rows(queryset: QuerySet[Incident], *, user: object) -> Iterator[list[Value]]:
    """One list of raw values per matter (aware datetimes, bools), in COLUMNS order."""
    access = _PartyAccess(user)
    with translation.override(LEDGER_LANGUAGE):
        for incident in ledger_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
            parties = _parties_text(incident, access)
            yield [column.value(incident, parties) for column in COLUMNS]


def unmasked_rows(queryset: QuerySet[Incident], *, user: object) -> int:
    """How many matters of ``queryset`` the ledger would show with unmasked parties.

    Read before an export, to ask for a reason above LEDGER_REASON_THRESHOLD and to record it.
    """
    access = _PartyAccess(user)
    with_parties = (
        queryset.filter(parties__isnull=False)
        .distinct()
        .select_related("grid", "handling_unit__area")
        .order_by()
    )
    return sum(
        1 for incident in with_parties.iterator(chunk_size=CHUNK_SIZE) if access.unmasked(incident)
    )


def _local(value: dt.datetime) -> dt.datetime:
    """Local wall-clock time without tzinfo: what Excel cells hold."""
    return timezone.localtime(value).replace(tzinfo=None)


def _clean_text(value: object) -> str:
    # openpyxl refuses control characters that XML cannot carry; a pasted text may have them.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


# --- Excel -----------------------------------------------------------------------------------


def _time_cell(sheet: WriteOnlyWorksheet, value: dt.datetime) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_local(value))
    cell.number_format = DATETIME_FORMAT
    return cell


def _text_cell(sheet: WriteOnlyWorksheet, value: str, number_format: str = "General") -> object:
    text = _clean_text(value)
    if not text.startswith("=") and number_format == "General":
        return text  # a plain value is cheaper than a cell object
    cell = WriteOnlyCell(sheet, value=text)
    # A leading "=" would make openpyxl write a formula: user text is never a formula.
    cell.data_type = "s"
    cell.number_format = number_format
    return cell


def _xlsx_value(sheet: WriteOnlyWorksheet, kind: str, value: Value) -> object:
    if value is None or value == "":
        return None
    if kind == Kind.TIME:
        return _time_cell(sheet, value)  # type: ignore[arg-type]
    if kind == Kind.CODE:
        return _text_cell(sheet, str(value), TEXT_FORMAT)
    if kind == Kind.FLAG:
        return YES if value else NO
    if kind == Kind.NUMBER:
        return value
    return _text_cell(sheet, str(value))


def _header_cells(sheet: WriteOnlyWorksheet) -> list[WriteOnlyCell]:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cells.append(cell)
    return cells


def write_xlsx(
    queryset: QuerySet[Incident],
    stream: BinaryIO,
    *,
    user: object,
    description: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> int:
    """Write the matters of ``queryset`` as a workbook to ``stream``; returns the row count.

    Sheet 台账 holds the ledger (header row frozen, autofilter on); sheet 说明 says when it was
    exported, by whom, with which filters. Write-only mode keeps memory flat for long lists.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    # Write-only sheets write their views and column widths before the first row.
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append(_header_cells(sheet))
    count = 0
    for row in ledger_rows(queryset, user=user):
        sheet.append([_xlsx_value(sheet, c.kind, v) for c, v in zip(COLUMNS, row, strict=True)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    _write_about(book, user=user, description=description, now=now, count=count)
    book.save(stream)
    return count


def _write_about(
    book: Workbook, *, user: object, description: Iterable[str], now: dt.datetime | None, count: int
) -> None:
    about = book.create_sheet("说明")
    about.column_dimensions["A"].width = 12
    about.column_dimensions["B"].width = 60
    exported = WriteOnlyCell(about, value=_local(now or timezone.now()))
    exported.number_format = DATETIME_FORMAT
    about.append([WriteOnlyCell(about, value="平安网格 事项台账")])
    about.append(["导出时间", exported])
    about.append(["导出人", _text_cell(about, str(user))])
    about.append(["事项数", count])
    filters = [_clean_text(line) for line in description] or ["无（全部可见事项）"]
    for index, line in enumerate(filters):
        about.append(["筛选条件" if index == 0 else None, _text_cell(about, line)])


# --- CSV -------------------------------------------------------------------------------------


def _csv_value(kind: str, value: Value) -> str:
    if value is None:
        return ""
    if kind == Kind.TIME:
        return timezone.localtime(value).strftime(CSV_DATETIME_FORMAT)  # type: ignore[arg-type]
    if kind == Kind.FLAG:
        return YES if value else NO
    if kind == Kind.NUMBER:
        return str(value)
    text = str(value)
    if kind == Kind.TEXT and text.startswith(_FORMULA_START):
        # A spreadsheet would run it as a formula; the quote makes it plain text (OWASP advice).
        return "'" + text
    return text


class _Line:
    """A file-like object whose write returns what was written: csv.writer → one string."""

    def write(self, value: str) -> str:
        return value


def iter_csv(queryset: QuerySet[Incident], *, user: object) -> Iterator[str]:
    """The CSV ledger piece by piece (BOM first, then header and one line per matter)."""
    writer = csv.writer(_Line())
    # Excel reads a CSV as UTF-8 only when it starts with the byte-order mark.
    yield "\ufeff"
    yield writer.writerow(HEADERS)
    for row in ledger_rows(queryset, user=user):
        yield writer.writerow([_csv_value(c.kind, v) for c, v in zip(COLUMNS, row, strict=True)])


def write_csv(queryset: QuerySet[Incident], stream: BinaryIO, *, user: object) -> int:
    """Write the CSV ledger (UTF-8 with BOM) to a binary ``stream``; returns the row count."""
    lines = iter_csv(queryset, user=user)
    count = -2  # the BOM and the header are not matters
    for piece in lines:
        stream.write(piece.encode("utf-8"))
        count += 1
    return count
