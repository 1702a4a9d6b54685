"""manage.py import_people FILE --kind staff|units|volunteers (docs/onboarding.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from onboarding.choices import PEOPLE_KINDS
from onboarding.management.commands._common import ImportCommand
from onboarding.passwords import write_password_list
from onboarding.people import import_people
from onboarding.templates import write_template


class Command(ImportCommand):
    help = gettext_lazy(
        "Import staff accounts, responder units or volunteer squads from an .xlsx, .xls or .csv "
        "roster. Every row is checked first; any bad row refuses the whole file unless "
        "--skip-bad-rows. New accounts get a one-time initial password, written to a file only "
        "its owner can read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help=_("the roster (.xlsx, .xls, .ods or .csv)"))
        parser.add_argument("--kind", required=True, choices=[str(k) for k in PEOPLE_KINDS])
        parser.add_argument(
            "--role",
            choices=Role.values,
            help=_("the role of staff whose 职务 names none (default: refuse those rows)"),
        )
        parser.add_argument(
            "--passwords-file",
            metavar="PATH",
            help=_("where to write the new accounts' initial passwords (default: beside FILE)"),
        )
        parser.add_argument(
            "--template",
            metavar="PATH",
            help=_("write a blank template of --kind to PATH and stop"),
        )
        self.add_common_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        kind = str(options["kind"])
        if options["template"]:
            path = write_template(kind, Path(str(options["template"])))
            self.stdout.write(_("Template written to %(path)s") % {"path": path})
            return
        path = self.checked_path(options["file"])  # type: ignore[arg-type]
        import_options = self.options_from(options, kind)
        target = self._passwords_path(path, options.get("passwords_file"))
        result = self.run_import(
            lambda: import_people(
                path=path,
                kind=kind,
                options=import_options,
                role=options["role"],
                deliver=lambda issued: write_password_list(target, issued),
            )
        )
        if result.issued:
            result.notes.append(
                _("%(count)d new accounts: their initial passwords are in %(path)s (readable by "
                  "you only; hand them out, then delete the file).")
                % {"count": len(result.issued), "path": target}
            )  # fmt: skip
        self.finish(result, path, options)

    def _passwords_path(self, path: Path, raw: object) -> Path:
        if raw:
            target = Path(str(raw))
            if target.exists():
                raise CommandError(_("%(path)s exists; name a new file.") % {"path": target})
            return target
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return path.with_name(f"{path.stem}.initial-passwords-{stamp}.csv")
