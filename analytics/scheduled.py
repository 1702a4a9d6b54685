"""Scheduled briefings (月统计、季通报): made on the 1st, stored once, announced to leadership.

On the 1st of every month the last month's briefing is made for each county and each township
in force; on the 1st of January, April, July and October the last quarter's too. Each area and
period is its own transaction, under an advisory lock and the table's unique constraint, so a
second run, a retry or two workers at once store nothing twice, and a failure in one area leaves
the others stored (the failed one is made on the next run).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics import briefing, render
from analytics.announce import announce_briefing
from analytics.choices import BriefingKind
from analytics.models import StoredBriefing
from analytics.periods import Period, add_months
from analytics.stored import LEAFLET_MARKS, NONCE_MARK, briefings_root, relative_paths
from gridmap.choices import AreaLevel
from gridmap.models import Area

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
QUARTER_STARTS = (1, 4, 7, 10)
SCHEDULED_KINDS = {BriefingKind.MONTH.value, BriefingKind.QUARTER.value}


@dataclass(frozen=True)
class Failure:
    """One area and period that could not be made this run (it is tried again on the next)."""

    area_code: str
    area_name: str
    period: str
    error: str


@dataclass
class GenerationReport:
    """What a run did: the briefings it stored, those already there or being made, failures."""

    periods: list[str] = field(default_factory=list)
    created: list[StoredBriefing] = field(default_factory=list)
    existing: int = 0
    busy: int = 0
    failed: list[Failure] = field(default_factory=list)
    seconds: float = 0.0


def due_periods(today: dt.date) -> list[Period]:
    """The periods whose briefings are due on ``today``: none unless it is the 1st."""
    if today.day != 1:
        return []
    month_start = add_months(today, -1)
    due = [Period("month", month_start, today)]
    if today.month in QUARTER_STARTS:
        due.append(Period("quarter", add_months(today, -3), today))
    return due


def scheduled_areas() -> list[Area]:
    """The areas briefed on schedule: every county in force and each of its townships."""
    levels = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP)
    areas = Area.objects.current().filter(level__in=levels).without_shapes()
    return list(areas.order_by("code"))


def generate_period_briefings(
    *, today: dt.date, progress: Progress | None = None
) -> GenerationReport:
    """Make the briefings due on ``today`` (see due_periods) for every scheduled area."""
    return generate_briefings(periods=due_periods(today), progress=progress)


def generate_briefings(
    *,
    periods: Iterable[Period],
    areas: Iterable[Area] | None = None,
    progress: Progress | None = None,
) -> GenerationReport:
    """Store the briefing of each area (default: scheduled_areas) for each period, once.

    Briefings that exist are left alone; one that another worker is making is skipped; one
    that fails is reported and rolled back without touching the others.
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    wanted = list(periods)
    for period in wanted:
        if period.kind not in SCHEDULED_KINDS:
            raise ValueError(f"briefings are stored per month or quarter, not per {period.kind}")
    report = GenerationReport(periods=[p.label for p in wanted])
    if not wanted:
        return report
    briefed = list(areas) if areas is not None else scheduled_areas()
    targets = [(area, period) for period in wanted for area in briefed]
    for number, (area, period) in enumerate(targets, start=1):
        head = f"[{number}/{len(targets)}] {area.name} ({area.code}) {period.label}:"
        try:
            outcome = store_briefing(area=area, period=period)
        except Exception as error:
            # One area's failure must not cost the others their briefing: it is logged with its
            # traceback, listed in the report (the command then exits non-zero, so the job runner
            # records it), and made on the next run since no row was stored.
            logger.exception("briefing of %s for %s failed", area.code, period.label)
            report.failed.append(Failure(area.code, area.name, period.label, str(error)))
            say(_("%(head)s FAILED: %(error)s") % {"head": head, "error": error})
            continue
        if isinstance(outcome, StoredBriefing):
            report.created.append(outcome)
            say(
                _("%(head)s stored in %(seconds).1f s")
                % {"head": head, "seconds": outcome.duration_s}
            )
        elif outcome == "busy":
            report.busy += 1
            say(_("%(head)s being made by another worker") % {"head": head})
        else:
            report.existing += 1
            say(_("%(head)s already stored") % {"head": head})
    report.seconds = time.perf_counter() - started
    return report


def _locked(area: Area, period: Period) -> bool:
    """Take this transaction's advisory lock on (area, period); False if another holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"analytics.briefing:{area.pk}:{period.label}"],
        )
        return bool(cursor.fetchone()[0])


def _exists(area: Area, period: Period) -> bool:
    return StoredBriefing.objects.filter(area=area, period_label=period.label).exists()


def store_briefing(*, area: Area, period: Period) -> StoredBriefing | str:
    """Make, store and announce one briefing in one transaction.

    Returns the new row, ``"exists"`` if it was stored before, or ``"busy"`` if another worker
    holds its lock. Raises whatever building it raised (nothing is stored then).
    """
    if _exists(area, period):  # the cheap answer for a second run, before any work
        return "exists"
    html_rel, pdf_rel = relative_paths(area, period)
    root = briefings_root()
    written: list[Path] = []
    try:
        with transaction.atomic():
            if not _locked(area, period):
                return "busy"
            if _exists(area, period):  # stored by a worker that held the lock a moment ago
                return "exists"
            started = time.perf_counter()
            full = Area.objects.get(pk=area.pk)  # with its outline: the briefing maps it
            built = briefing.build(area=full, period=period)
            document = render.html(built, leaflet=LEAFLET_MARKS, nonce=NONCE_MARK)
            pdf = render.pdf(built)
            written = [
                _write(root / html_rel, document.encode("utf-8")),
                _write(root / pdf_rel, pdf),
            ]
            stored = StoredBriefing.objects.create(
                area=full,
                kind=period.kind,
                period_label=period.label,
                period_start=period.start,
                period_end=period.end,
                html_path=html_rel,
                pdf_path=pdf_rel,
                html_size=written[0].stat().st_size,
                pdf_size=written[1].stat().st_size,
                duration_s=round(time.perf_counter() - started, 2),
                generated_at=timezone.now(),
            )
            announce_briefing(stored)
            return stored
    except BaseException:
        # The row is rolled back: its files go too, so nothing points at or lingers without it.
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _write(path: Path, content: bytes) -> Path:
    """Write a file whole or not at all (a reader never sees half a briefing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, path)
    return path
