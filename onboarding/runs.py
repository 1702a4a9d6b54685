"""What every import shares: options, the result, file hashing, the batch record, the outcome."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from onboarding.columns import Columns
from onboarding.models import ImportBatch
from onboarding.passwords import IssuedPassword
from onboarding.report import Report


@dataclass
class ImportOptions:
    """How to run an import (the command's options, the admin page's choices)."""

    dry_run: bool = False
    skip_bad_rows: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    by: object | None = None  # the user who imports (None from the command line)
    by_label: str = ""
    within: object | None = None  # an Area: rows may name only places in its subtree


@dataclass
class ImportResult:
    """What an import did (or, refused or dry, would have done)."""

    report: Report
    columns: Columns | None = None
    batch: ImportBatch | None = None
    issued: list[IssuedPassword] = field(default_factory=list)
    refused: bool = False  # bad rows and no --skip-bad-rows: nothing written
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def command_user_label() -> str:
    """Who ran a command without --by: the system user, as the batch records it."""
    try:
        return f"manage.py ({os.getlogin()})"
    except OSError:
        return f"manage.py (uid {os.getuid()})"


def new_batch(*, kind: str, path: Path, options: ImportOptions, report: Report) -> ImportBatch:
    """The record of this import, saved with its counts and report."""
    by = options.by if getattr(options.by, "pk", None) else None
    return ImportBatch.objects.create(
        kind=kind,
        file_name=path.name[:255],
        file_sha256=file_sha256(path),
        by=by,
        by_label=options.by_label or (getattr(by, "username", "") if by else command_user_label()),
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        report=report.as_dict(),
    )


def bad_rows_path(path: Path, report_json: Path | None) -> Path:
    """Where the bad rows go: beside the JSON report when there is one, else beside the file."""
    base = report_json if report_json is not None else path
    return base.with_name(f"{base.stem}.bad-rows.xlsx")
