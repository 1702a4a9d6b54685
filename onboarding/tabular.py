"""Reading a roster or ledger as a county keeps it: .xlsx, old .xls (WPS), .ods or .csv.

Spreadsheets are read with python-calamine (fast, Rust); CSV files in UTF-8 (with or without a
BOM) or GBK/GB18030, whichever decodes strictly. Rows keep the number Excel shows for them
(title and header rows counted), so that every report names a row a person can find.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
SUFFIXES = (*SPREADSHEET_SUFFIXES, ".csv")

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


class TableError(ValueError):
    """The file as a whole cannot be read (wrong kind, no sheet, undecodable text)."""


@dataclass(frozen=True)
class RawTable:
    """Every row of one sheet: ``rows[i]`` is spreadsheet row ``i + 1``."""

    rows: list[list[Cell]]
    encoding: str = ""  # CSV only: the encoding the text was read in
    sheet: str = ""


def read_table(path: Path | str, *, sheet: str | None = None) -> RawTable:
    """The rows of ``path`` (first sheet, or ``sheet`` by name), as Excel numbers them."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path.read_bytes())
    if suffix not in SPREADSHEET_SUFFIXES:
        raise TableError(
            _("%(name)s: unknown kind of file; send .xlsx, .xls, .ods or .csv.")
            % {"name": path.name}
        )
    return _read_spreadsheet(path, sheet)


def _read_spreadsheet(path: Path, sheet: str | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for damaged files
        raise TableError(
            _("%(name)s cannot be read as a spreadsheet: %(error)s")
            % {"name": path.name, "error": error}
        ) from None
    names = workbook.sheet_names
    if not names:
        raise TableError(_("%(name)s has no sheet.") % {"name": path.name})
    if sheet is not None and sheet not in names:
        raise TableError(
            _("%(name)s has no sheet named %(sheet)s; its sheets: %(sheets)s.")
            % {"name": path.name, "sheet": sheet, "sheets": "、".join(names)}
        )
    chosen = sheet or names[0]
    data = workbook.get_sheet_by_name(chosen)
    # skip_empty_area=False: the first row returned is row 1 even when it is blank, so row
    # numbers stay the ones Excel shows.
    rows = data.to_python(skip_empty_area=False)
    return RawTable(rows=[list(row) for row in rows], sheet=chosen)


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding used: strict UTF-8 (BOM or not) first, then GB18030.

    GB18030 is a superset of GBK and GB2312, so a file saved as "ANSI" by a Chinese Windows
    Excel decodes with it; a file that is neither raises TableError.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise TableError(
            _("The CSV file is neither UTF-8 nor GBK text; save it again as CSV (UTF-8).")
        ) from None


def _read_csv(raw: bytes) -> RawTable:
    text, encoding = decode_text(raw)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Cell]] = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    return RawTable(rows=rows, encoding=encoding)


def cell_text(value: Cell) -> str:
    """A cell as text, as a person reads it (``12.0`` → ``12``; dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def row_is_blank(row: list[Cell]) -> bool:
    """A row with nothing but empty cells or spaces."""
    return all(cell_text(value) == "" for value in row)


def data_rows(table: RawTable, first: int) -> Iterator[tuple[int, list[Cell]]]:
    """``(row number, cells)`` of the rows from index ``first`` on, blank rows left out."""
    for index in range(first, len(table.rows)):
        row = table.rows[index]
        if not row_is_blank(row):
            yield index + 1, row
