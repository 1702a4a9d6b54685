"""import_people: staff accounts, responder units, volunteer squads and volunteers from a roster.

Two phases. Planning reads every row, validates it and decides, against what is stored, whether
it creates, updates (and what changes) or leaves a record unchanged; every bad row is reported
and nothing is written. Applying then writes the plan in one transaction (new records in bulk).
A second import of the same file plans nothing but "unchanged".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from onboarding.choices import ImportKind
from onboarding.columns import Columns, find_columns
from onboarding.passwords import IssuedPassword
from onboarding.places import AreaIndex, Place, PlaceError
from onboarding.report import Report
from onboarding.runs import ImportOptions, ImportResult, new_batch
from onboarding.tabular import Cell, data_rows, read_table
from onboarding.validators import CellError, clean_text

REQUIRED: dict[str, tuple[str, ...]] = {
    ImportKind.STAFF: ("name",),
    ImportKind.UNITS: ("name",),
    ImportKind.VOLUNTEERS: ("squad", "name"),
}


class RowReader:
    """Reads one row's cells through the header, noting each bad cell in the report."""

    def __init__(self, columns: Columns, report: Report, row: int, cells: list[Cell]) -> None:
        self.columns, self.report, self.row, self.cells = columns, report, row, cells
        self.ok = True
        self._texts: dict[str, str] = {}

    def text(self, field: str) -> str:
        """The cell of ``field`` as clean text (read once per row: ledgers ask several times)."""
        if field not in self._texts:
            self._texts[field] = clean_text(self.columns.value(self.cells, field))
        return self._texts[field]

    def parse(self, field: str, parser: Callable[[Cell], object]) -> object:
        """``parser`` applied to the cell; None (and an error noted) when it refuses it."""
        try:
            return parser(self.columns.value(self.cells, field))
        except CellError as error:
            self.fail(field, str(error))
            return None

    def fail(self, field: str, reason: str) -> None:
        self.ok = False
        self.report.error(self.row, self.columns.header_of(field), reason, self.cells)

    def place(self, index: AreaIndex, *, required: bool = True) -> Place | None:
        """The row's area: by code when the column has one, else by the name path."""
        code = self.text("area_code")
        township, village, grid = self.text("township"), self.text("village"), self.text("grid")
        if not (code or township or village or grid):
            if required:
                self.fail(
                    "township",
                    _(
                        "The row names no place: give 所属乡镇 and 所属村/社区 (and 网格), "
                        "or a code."
                    ),
                )
            return None
        try:
            if code:
                return index.by_area_code(code)
            return index.find(township=township, village=village, grid=grid)
        except PlaceError as error:
            self.fail(error.field, error.reason)
            return None


def import_people(
    *,
    path: Path,
    kind: str,
    options: ImportOptions,
    role: str | None = None,
    deliver: Callable[[list[IssuedPassword]], object] | None = None,
) -> ImportResult:
    """Read, check and (unless refused or dry) write one roster of ``kind``.

    ``deliver`` receives the new accounts' initial passwords inside the transaction: when it
    fails (the list cannot be written), no account is made whose password nobody knows.
    """
    from onboarding.people_groups import UnitsPlan, VolunteersPlan
    from onboarding.people_staff import StaffPlan

    raw = read_table(path, sheet=options.sheet)
    columns = find_columns(raw, kind, extra=options.columns, required=REQUIRED[kind])
    report = Report()
    plans = {ImportKind.STAFF: StaffPlan, ImportKind.UNITS: UnitsPlan}
    index = AreaIndex.load(within=options.within)  # type: ignore[arg-type]
    plan = plans.get(kind, VolunteersPlan)(columns=columns, report=report, role=role, index=index)
    rows = list(data_rows(raw, columns.first_data_index))
    report.rows = len(rows)
    for number, cells in rows:
        plan.add_row(RowReader(columns, report, number, cells))
    plan.finish()
    result = ImportResult(report=report, columns=columns)
    bad = report.bad_row_numbers
    report.skipped = len(bad)
    if bad and not options.skip_bad_rows:
        result.refused = True
        report.created = report.updated = report.unchanged = 0
        return result
    plan.count(skip=bad)
    if options.dry_run:
        return result
    with transaction.atomic():
        result.batch = new_batch(kind=kind, path=path, options=options, report=report)
        result.issued = plan.apply(batch=result.batch, skip=bad)
        if result.issued and deliver is not None:
            deliver(result.issued)
    return result
