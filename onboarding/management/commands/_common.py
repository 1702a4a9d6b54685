"""What import_people and import_ledger share: options, printing the report, exit status."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import User
from onboarding.columns import HeaderError, parse_column_options
from onboarding.report import write_bad_rows
from onboarding.runs import ImportOptions, ImportResult, bad_rows_path
from onboarding.tabular import TableError


class ImportCommand(BaseCommand):
    """Base of the two import commands."""

    kind_for_columns = "ledger"

    def add_common_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check everything and write nothing")
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help=_("import the good rows; write the bad ones with a reason to an .xlsx"),
        )
        parser.add_argument(
            "--report-json", metavar="PATH", help=_("write the report as JSON to PATH")
        )
        parser.add_argument(
            "--column",
            action="append",
            metavar="FIELD=HEADER",
            help=_("read FIELD from the column headed HEADER (repeatable)"),
        )
        parser.add_argument("--sheet", help=_("the sheet to read (default: the first)"))
        parser.add_argument(
            "--by", metavar="USERNAME", help=_("record the import as done by this account")
        )

    def options_from(self, options: dict, kind: str) -> ImportOptions:
        by = None
        if options.get("by"):
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(_("No account named %(name)s.") % {"name": options["by"]})
        try:
            columns = parse_column_options(options.get("column"), kind)
        except HeaderError as error:
            raise CommandError(str(error)) from None
        return ImportOptions(
            dry_run=options["dry_run"],
            skip_bad_rows=options["skip_bad_rows"],
            columns=columns,
            sheet=options.get("sheet"),
            by=by,
        )

    def checked_path(self, raw: str | None) -> Path:
        if not raw:
            raise CommandError(_("Name the file to import."))
        path = Path(raw)
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file.") % {"path": raw})
        return path

    def run_import(self, run: object) -> ImportResult:
        try:
            return run()  # type: ignore[operator]
        except (TableError, HeaderError) as error:
            raise CommandError(str(error)) from None

    def finish(self, result: ImportResult, path: Path, options: dict) -> None:
        """Print the report, write the JSON and the bad rows; exit 1 when the file was refused."""
        report = result.report
        report_json = Path(options["report_json"]) if options.get("report_json") else None
        if report_json is not None:
            report.write_json(report_json)
        for line in report.error_lines():
            self.stderr.write(line)
        for reason, count in report.warning_counts():
            self.stdout.write(
                _("warning (%(count)d rows): %(reason)s") % {"count": count, "reason": reason}
            )
        for line in report.changes:
            self.stdout.write(line)
        for line in result.notes:
            self.stdout.write(line)
        self.stdout.write(report.summary())
        if report.errors and result.columns is not None and not result.refused:
            bad = write_bad_rows(report, result.columns.headers, bad_rows_path(path, report_json))
            self.stdout.write(_("Bad rows written to %(path)s") % {"path": bad})
        if result.refused:
            raise CommandError(
                _("%(count)d bad rows: nothing was imported. Correct them, or import the others "
                  "with --skip-bad-rows.") % {"count": len(report.bad_row_numbers)},
                returncode=1,
            )  # fmt: skip
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        elif result.batch is not None:
            self.stdout.write(_("Recorded as import %(id)d.") % {"id": result.batch.pk})
