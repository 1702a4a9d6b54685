"""Writing a ledger's matters (closed, imported, never renumbered) and undoing an import."""

from __future__ import annotations

import uuid

from django.contrib.gis.geos import MultiPoint, Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.models import WGS84, Area
from incidents.choices import TIER_DEADLINE, PartyRole, State
from incidents.models import HandlingUnit, Incident, IncidentEvent, Party, Photo
from incidents.routing import center_for
from onboarding.choices import ImportKind
from onboarding.ledger import LedgerRow
from onboarding.models import ImportBatch, ImportedMatter
from onboarding.places import AreaIndex

BATCH = 2000


class UndoError(Exception):
    """The import cannot be undone (its matters are linked to, or it is no ledger import)."""


def _centers(village_ids: set[int]) -> dict[int, HandlingUnit]:
    """The center of each village (made on first use, as intake does)."""
    villages = Area.objects.without_shapes().filter(id__in=village_ids)
    return {village.pk: center_for(village) for village in villages}


def write_matters(rows: list[LedgerRow], *, batch: ImportBatch, index: AreaIndex) -> None:
    """Insert the matters of ``rows`` with their parties and ledger records (one transaction)."""
    chains = {}
    for row in rows:
        grid = index.by_id[row.grid_id]
        village = index.by_id[grid.parent_id]
        township = index.by_id[village.parent_id]
        chains[row.row] = (grid.id, village.id, township.id, township.parent_id)
    centers = _centers({chain[1] for chain in chains.values()})
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        incidents = [_incident(row, chains[row.row], centers) for row in chunk]
        Incident.objects.bulk_create(incidents, batch_size=BATCH)
        Party.objects.bulk_create(
            [
                Party(
                    incident=incident,
                    name=name[:50],
                    role=PartyRole.APPLICANT if i == 0 else PartyRole.RESPONDENT,
                )
                for row, incident in zip(chunk, incidents, strict=True)
                for i, name in enumerate(row.parties)
            ],
            batch_size=BATCH,
        )
        ImportedMatter.objects.bulk_create(
            [
                ImportedMatter(
                    incident=incident,
                    batch=batch,
                    source_row=row.row,
                    original_number=row.number,
                    category_text=row.category_text,
                    key=row.key,
                )
                for row, incident in zip(chunk, incidents, strict=True)
            ],
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:
        # A large import changes the table's size by much: fresh statistics for the planner.
        cursor.execute("ANALYZE incidents_incident")


def _incident(
    row: LedgerRow, chain: tuple[int, int, int, int], centers: dict[int, HandlingUnit]
) -> Incident:
    grid_id, village_id, township_id, county_id = chain
    point = Point(row.lon, row.lat, srid=WGS84)
    return Incident(
        uid=uuid.uuid4(),
        kind=row.category.kind,
        category=row.category,
        tier=row.tier,
        title=row.title,
        description=row.description,
        address=row.address,
        location=point,
        locations=MultiPoint(point, srid=WGS84),
        input_crs=row.input_crs,
        grid_id=grid_id,
        village_id=village_id,
        township_id=township_id,
        county_id=county_id,
        outside_grid=row.outside_m is not None,
        outside_distance_m=row.outside_m,
        source=row.source,
        handling_unit=centers[village_id],
        state=State.CLOSED,
        result=row.result,
        outcome=row.outcome,
        received_at=row.received,
        due_at=row.received + TIER_DEADLINE[row.tier],
        handled_at=row.closed,
        closed_at=row.closed,
        imported=True,
        location_approximate=row.area is not None,
    )


def undo_import(*, batch: ImportBatch) -> int:
    """Delete the matters of a ledger import while nothing links to them; returns how many.

    Linked means: a trail entry, a photo, an assignment, or another matter marked as its
    duplicate: someone has worked with the matter since, and that work is not thrown away.
    """
    if batch.kind != ImportKind.LEDGER:
        raise UndoError(_("Only a ledger import can be undone."))
    if batch.undone_at is not None:
        raise UndoError(_("This import was undone already."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.undone_at is not None:
            raise UndoError(_("This import was undone already."))
        ids = list(
            ImportedMatter.objects.filter(batch=locked).values_list("incident_id", flat=True)
        )
        linked = _linked(ids)
        if linked:
            raise UndoError(
                _("%(count)d of its matters are linked to since (trail, photos, dispatch or "
                  "duplicates), e.g. %(ids)s: nothing was undone.")
                % {"count": len(linked), "ids": ", ".join(str(i) for i in sorted(linked)[:10])}
            )  # fmt: skip
        ImportedMatter.objects.filter(batch=locked).delete()
        Party.objects.filter(incident_id__in=ids).delete()
        Incident.objects.filter(id__in=ids).delete()
        locked.undone_at = timezone.now()
        locked.save(update_fields=["undone_at"])
    batch.undone_at = locked.undone_at
    return len(ids)


def _linked(ids: list[int]) -> set[int]:
    from volunteers.models import Assignment

    linked: set[int] = set()
    linked |= set(
        IncidentEvent.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True)
    )
    linked |= set(Photo.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True))
    linked |= set(
        Assignment.objects.filter(incident_id__in=ids).values_list("incident_id", flat=True)
    )
    linked |= set(
        Incident.objects.filter(duplicate_of_id__in=ids).values_list("duplicate_of_id", flat=True)
    )
    return linked
