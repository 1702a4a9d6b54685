"""``import_areas``: the one way boundaries get written (all or nothing, then validated)."""

from __future__ import annotations

import datetime as dt
import sys

import geopandas as gpd
from django.db import connection, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from gridmap.codes import code_notes
from gridmap.models import AreaImport
from gridmap.services.features import _prepare
from gridmap.services.planning import _plan
from gridmap.services.results import (
    _IMPORT_LOCK_KEY,
    DEFAULT_TOLERANCES,
    ImportRefusedError,
    ImportResult,
    Tolerances,
)
from gridmap.services.validation import _validate
from gridmap.services.writing import _create, _retire, _reversion, _touch


def import_areas(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    source_crs: str,
    valid_from: dt.date,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    progress: bool = False,
    dry_run: bool = False,
    retire_missing_under: str | None = None,
    read_notes: dict[str, object] | None = None,
) -> ImportResult:
    """Create, re-version or update areas from ``frame``, all or nothing, and validate the tree.

    ``frame`` has columns code, name and geometry; level, parent_code, population, households
    and synthetic are optional (level and parent come from the code). Raises
    InvalidFeaturesError for bad input and ImportRefusedError when the written boundaries break
    ``tolerances``. ``dry_run`` does everything, then rolls back; ``retire_missing_under`` (a
    code) retires the areas below it that the frame leaves out; ``read_notes`` (what reading
    the file found, e.g. {"encoding": {...}}) are stored with the report.
    """
    features, present, repaired = _prepare(frame)
    bar = tqdm(
        total=len(features), desc=_("Importing"), unit="area", file=sys.stderr, disable=not progress
    )
    with bar, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])
        plan = _plan(features, present, valid_from)
        _create(plan, source=source, valid_from=valid_from, present=present, bar=bar)
        _reversion(plan, source=source, valid_from=valid_from, present=present, bar=bar)
        _touch(plan, present=present)
        bar.update(len(features) - bar.n)
        parent_ids = {plan.ids[f.parent_code] for f in features if f.parent_code}
        parent_ids |= {plan.ids[f.code] for f in features}
        retired = 0
        if retire_missing_under:
            retired, under_id = _retire(retire_missing_under, features, valid_from)
            parent_ids.add(under_id)
        bar.set_description(_("Validating"))
        report = _validate(parent_ids, tolerances, repaired)
        if not report.ok:
            raise ImportRefusedError(report)
        result = ImportResult(
            created=len(plan.create),
            updated=len(plan.reversion),
            unchanged=plan.unchanged,
            repaired=len(repaired),
            attributes_updated=len(plan.touch),
            retired=retired,
            report=report,
            import_id=None,
            dry_run=dry_run,
            notes=tuple(code_notes((f.row, f.code_reading) for f in features)),
        )
        record = AreaImport.objects.create(
            source=source[:500],
            source_crs=source_crs[:50],
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            repaired=result.repaired,
            report={
                **report.as_dict(),
                "attributes_updated": result.attributes_updated,
                "retired": retired,
                "valid_from": valid_from.isoformat(),
                "notes": list(result.notes),
                **(read_notes or {}),
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return result if dry_run else _with_id(result, record.pk)


def _with_id(result: ImportResult, import_id: int) -> ImportResult:
    return ImportResult(**{**result.__dict__, "import_id": import_id})
