"""manage.py load_demo: the Longxi demo county, its grid leaders and one login per role."""

from __future__ import annotations

import time

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridmap.choices import LEVEL_ORDER, AreaLevel
from gridmap.demo.state import county_row, demo_counts, is_demo
from gridmap.demo.table import text_table
from gridmap.management.base import TranslatedHelpCommand


class Command(TranslatedHelpCommand):
    help = gettext_lazy(
        "Load the Longxi demo county: the real outline with NBS township and village names, "
        "synthetic township/village/grid polygons, one synthetic leader per grid and one demo "
        "login per role. Does nothing when the demo is already loaded, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help=_(
                "regenerate and upsert even when the demo is loaded (nothing is duplicated; "
                "demo passwords are reset)"
            ),
        )

    def handle(self, *args: object, **options: object) -> None:
        force = bool(options["force"])
        county = county_row()
        if county is not None and not is_demo(county):
            if not force:
                raise CommandError(
                    _(
                        "%(county)s is already loaded from %(source)r, not from the demo; "
                        "--force would overwrite it with synthetic boundaries."
                    )
                    % {"county": county, "source": county.source}
                )
        elif county is not None and not force:
            self.stdout.write(
                _("The Longxi demo county is already loaded (use --force to re-run it).")
            )
            self._summary(demo_counts())
            return
        self._load(force=force, progress=options["verbosity"] >= 1)

    def _load(self, *, force: bool, progress: bool) -> None:
        # The geometry stack is imported only here: the already-loaded path stays under a second.
        from gridmap.demo.county import generate_county
        from gridmap.demo.load import load_demo_county
        from gridmap.services import AreaImportError

        started = time.perf_counter()
        self.stdout.write(_("Generating the Longxi demo county…"))
        generated = generate_county()
        generated_at = time.perf_counter()
        self.stdout.write(
            _("Generated %(areas)d areas and %(leaders)d grid leaders in %(s).1f s.")
            % {
                "areas": len(generated.areas),
                "leaders": len(generated.leaders),
                "s": generated_at - started,
            }
        )
        self.stdout.write(_("Writing areas, grid leaders and demo logins…"))
        try:
            result = load_demo_county(generated, reset_passwords=force, progress=progress)
        except AreaImportError as exc:
            raise CommandError(
                _("The demo was not loaded (nothing was written):") + "\n" + "\n".join(exc.messages)
            ) from None
        areas = result.areas
        self.stdout.write(
            _(
                "Areas: %(created)d created, %(updated)d re-versioned, %(unchanged)d unchanged. "
                "Grid leaders: %(lc)d created, %(lu)d updated, %(ln)d unchanged. "
                "Logins: %(uc)d created, %(uu)d updated, %(un)d unchanged."
            )
            % {
                "created": areas.created,
                "updated": areas.updated,
                "unchanged": areas.unchanged,
                "lc": result.leaders.created,
                "lu": result.leaders.updated,
                "ln": result.leaders.unchanged,
                "uc": result.logins.created,
                "uu": result.logins.updated,
                "un": result.logins.unchanged,
            }
        )
        self.stdout.write(
            _("Written in %(s).1f s (%(total).1f s in all).")
            % {"s": time.perf_counter() - generated_at, "total": time.perf_counter() - started}
        )
        self._summary(demo_counts())

    def _summary(self, counts: dict[str, int]) -> None:
        labels = dict(AreaLevel.choices)
        rows = [(str(labels[level]), f"{counts[level]:,}") for level in LEVEL_ORDER]
        rows.append((_("Active grid leaders"), f"{counts['leaders']:,}"))
        for line in text_table(rows, header=False, right=(1,)):
            self.stdout.write(f"  {line}")
