"""What an import found: counts, every bad row (with the spreadsheet's row number and column),
warnings; as JSON, as text, and the bad rows themselves as an .xlsx with a reason column."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from onboarding.tabular import Cell, cell_text


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row): ``row`` as Excel numbers it, ``column`` the header as written."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Report:
    """The outcome of one import (or dry run)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Rows of the file with errors, kept to write them back out (not part of the JSON).
    bad_rows: dict[int, list[Cell]] = field(default_factory=dict, repr=False)
    changes: list[str] = field(default_factory=list, repr=False)

    def error(self, row: int, column: str, reason: str, cells: list[Cell] | None = None) -> None:
        """Note a bad row; ``cells`` is the row as read, for the bad-rows file."""
        self.errors.append(Problem(row, column, str(reason)))
        if cells is not None:
            self.bad_rows.setdefault(row, cells)

    def warn(self, row: int, column: str, reason: str) -> None:
        self.warnings.append(Problem(row, column, str(reason)))

    @property
    def bad_row_numbers(self) -> set[int]:
        return {problem.row for problem in self.errors}

    def as_dict(self) -> dict[str, object]:
        """The report as ``--report-json`` writes it (the shape the issue fixes)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": [p.as_dict() for p in sorted(self.errors, key=lambda p: p.row)],
            "warnings": [p.as_dict() for p in sorted(self.warnings, key=lambda p: p.row)],
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")

    def summary(self) -> str:
        """One line of counts, in the user's language."""
        return _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(skipped)d skipped; %(errors)d errors, %(warnings)d warnings."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def error_lines(self, limit: int | None = None) -> list[str]:
        """``row 7, 身份证号: reason`` for each error (the first ``limit``)."""
        problems = sorted(self.errors, key=lambda p: p.row)
        return [
            _("row %(row)d, %(column)s: %(reason)s")
            % {"row": p.row, "column": p.column, "reason": p.reason}
            for p in problems[:limit]
        ]

    def warning_counts(self) -> list[tuple[str, int]]:
        """Warnings grouped by reason, most frequent first (an unmapped category counted once)."""
        return Counter(p.reason for p in self.warnings).most_common()


def write_bad_rows(report: Report, headers: list[str], path: Path) -> Path:
    """The bad rows as read, each with the spreadsheet's row number and the reasons, as .xlsx."""
    from openpyxl import Workbook

    reasons: dict[int, list[str]] = {}
    for problem in sorted(report.errors, key=lambda p: p.row):
        reasons.setdefault(problem.row, []).append(f"{problem.column}: {problem.reason}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Bad rows"))
    sheet.append([_("Row"), *headers, _("Reason")])
    for row, cells in sorted(report.bad_rows.items()):
        values = [cell_text(value) for value in cells]
        values += [""] * (len(headers) - len(values))
        sheet.append([row, *values[: len(headers)], "；".join(reasons.get(row, []))])
    workbook.save(path)
    return path
