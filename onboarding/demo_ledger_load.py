"""Load the demo's synthetic ledger through the ledger importer (manage.py load_demo_ledger).

The ledger file is made (``onboarding.demo_ledger``), kept under var/demo/, and imported with
``onboarding.ledger.import_ledger`` — the service behind ``manage.py import_ledger`` and the
import page — so the demo's years before the last are imported matters like a real county's:
closed, with their original numbers and dates, recorded as an import (labelled synthetic) that
can be undone.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.choices import AreaLevel
from gridmap.demo.reference import COUNTY_CODE
from gridmap.models import Area
from incidents.choices import IncidentKind
from incidents.demo.grids import load_grids
from incidents.demo.load import DemoIncidentsError, check_demo_county
from onboarding.choices import ImportKind
from onboarding.demo_ledger import FILE_NAME, LABEL, LedgerFile, Slice, ledger_rows, write_workbook
from onboarding.ledger import import_ledger
from onboarding.ledger_write import undo_import
from onboarding.models import ImportBatch
from onboarding.runs import ImportOptions, ImportResult

# Who the import record says imported it: the loader, and that the data are synthetic.
BY_LABEL = f"load_demo_ledger — {LABEL}"


class DemoLedgerError(Exception):
    """The demo ledger cannot be loaded; the message says why."""


@dataclass
class DemoLedgerResult:
    """What load_demo_ledger did, and how long each step took (seconds)."""

    ledger: LedgerFile
    result: ImportResult
    undone: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def default_path() -> Path:
    """Where the demo ledger is kept: var/demo/ of the checkout."""
    return Path(settings.BASE_DIR) / "var" / "demo" / FILE_NAME


def demo_batches() -> QuerySet[ImportBatch]:
    """The imports of the demo ledger in force (not undone)."""
    return ImportBatch.objects.filter(
        kind=ImportKind.LEDGER, by_label=BY_LABEL, undone_at__isnull=True
    )


def load_demo_ledger(
    *,
    seed: int,
    now: dt.datetime | None = None,
    part: Slice = Slice(),  # noqa: B008  (frozen, never changed)
    replace: bool = False,
    path: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> DemoLedgerResult:
    """Make the demo ledger of the years before the last and import it (one transaction).

    ``replace``: undo the demo ledger's earlier imports first (their matters go).
    """
    try:
        check_demo_county()
    except DemoIncidentsError as error:
        raise DemoLedgerError(str(error)) from None
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    path = path or default_path()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    grids = load_grids()
    names = dict(
        Area.objects.current()
        .filter(
            code__startswith=COUNTY_CODE[:6],
            level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE],
        )
        .values_list("code", "name")
    )
    rows = ledger_rows(
        grids, seed=seed, today=timezone.localdate(now, tz), tz=tz, part=part, unit_names=names
    )
    ledger = write_workbook(rows, path)
    timings["generate"] = time.perf_counter() - started
    progress(
        _("Wrote %(rows)s synthetic ledger rows (%(by_name)s by place name only) to %(path)s "
          "in %(s).1f s.")
        % {"rows": f"{ledger.rows:,}", "by_name": f"{ledger.by_name:,}", "path": path,
           "s": timings["generate"]}
    )  # fmt: skip
    with transaction.atomic():
        undone = 0
        if replace:
            for batch in demo_batches():
                undone += undo_import(batch=batch)
            if undone:
                progress(_("Undid the earlier demo ledger import (%(count)s matters).")
                         % {"count": f"{undone:,}"})  # fmt: skip
        started = time.perf_counter()
        result = import_ledger(
            path=path, options=ImportOptions(by_label=BY_LABEL), kind=IncidentKind.DISPUTE
        )
        timings["import"] = time.perf_counter() - started
        if result.refused:
            lines = list(result.report.error_lines())[:10]
            raise DemoLedgerError(
                _("The importer refused the demo ledger:") + "\n" + "\n".join(lines)
            )
    return DemoLedgerResult(ledger=ledger, result=result, undone=undone, timings=timings)
