"""Writing a ledger's matters (closed, imported, never renumbered) and undoing an import."""

from __future__ import annotations

import datetime as dt
import struct
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from gridmap.models import Area
from incidents.choices import TIER_DEADLINE, PartyRole, State, UnitKind
from incidents.models import HandlingUnit, Incident, IncidentEvent, Party, Photo
from incidents.routing import center_fields
from onboarding.choices import ImportKind
from onboarding.ledger import LedgerRow
from onboarding.models import ImportBatch, ImportedMatter
from onboarding.places import AreaIndex


class UndoError(Exception):
    """The import cannot be undone (its matters are linked to, or it is no ledger import)."""


def _centers(village_ids: set[int]) -> dict[int, int]:
    """Ids of the center of each village, made where missing (as intake makes them on first use).

    In two statements, not one get_or_create per village: 233 villages cost 1.9 s that way.
    Another writer making one at the same time is no error (the area has one center either way).
    """
    found = dict(
        HandlingUnit.objects.filter(kind=UnitKind.CENTER, area_id__in=village_ids).values_list(
            "area_id", "id"
        )
    )
    missing = Area.objects.without_shapes().filter(id__in=village_ids - set(found))
    HandlingUnit.objects.bulk_create(
        [HandlingUnit(kind=UnitKind.CENTER, area=area, **center_fields(area)) for area in missing],
        ignore_conflicts=True,
    )
    if len(found) < len(village_ids):
        found = dict(
            HandlingUnit.objects.filter(kind=UnitKind.CENTER, area_id__in=village_ids).values_list(
                "area_id", "id"
            )
        )
    return found


def write_matters(rows: list[LedgerRow], *, batch: ImportBatch, index: AreaIndex) -> None:
    """Insert the matters of ``rows`` with their parties and ledger records (one transaction).

    COPY, with ids taken from the sequence first: bulk_create spent three quarters of a large
    import building and parsing multi-row INSERTs (bench/onboard.py). The tally of handled
    matters is kept by its statement-level insert trigger, as for any insert.
    """
    if not rows:
        return
    chains = {}
    for row in rows:
        grid = index.by_id[row.grid_id]
        village = index.by_id[grid.parent_id]
        township = index.by_id[village.parent_id]
        chains[row.row] = (grid.id, village.id, township.id, township.parent_id)
    centers = _centers({chain[1] for chain in chains.values()})
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('incidents_incident', 'id'))"
            " FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    _copy(
        Incident,
        INCIDENT_FIELDS,
        (
            _incident(pk, row, chains[row.row], centers, now)
            for pk, row in zip(ids, rows, strict=True)
        ),
    )
    _copy(
        Party,
        ["incident", "role", "name", "phone", "id_number", "phone_hash", "id_number_hash"],
        (
            (pk, PartyRole.APPLICANT if i == 0 else PartyRole.RESPONDENT, name[:50], "", "", "", "")
            for pk, row in zip(ids, rows, strict=True)
            for i, name in enumerate(row.parties)
        ),
    )
    _copy(
        ImportedMatter,
        [
            "incident",
            "batch",
            "source_row",
            "original_number",
            "category_text",
            "key",
            "responsible_unit",
        ],
        (
            (pk, batch.pk, row.row, row.number, row.category_text, row.key, row.unit)
            for pk, row in zip(ids, rows, strict=True)
        ),
    )
    with connection.cursor() as cursor:
        # A large import changes the table's size by much: fresh statistics for the planner.
        cursor.execute("ANALYZE incidents_incident")


def _copy(model: type, fields: list[str], rows: object) -> None:
    """Append ``rows`` (values of ``fields`` in order) to ``model``'s table with COPY."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:  # type: ignore[attr-defined]
            copy.write_row(row)


def _ewkb_point(lon: float, lat: float) -> str:
    """A WGS84 point as hex EWKB (what a geometry column reads in COPY's text format)."""
    return (b"\x01\x01\x00\x00\x20\xe6\x10\x00\x00" + struct.pack("<dd", lon, lat)).hex()


def _ewkb_multipoint(lon: float, lat: float) -> str:
    head = b"\x01\x04\x00\x00\x20\xe6\x10\x00\x00\x01\x00\x00\x00\x01\x01\x00\x00\x00"
    return (head + struct.pack("<dd", lon, lat)).hex()


INCIDENT_FIELDS = [
    "id", "uid", "kind", "category", "tier", "title", "description", "address", "location",
    "locations", "input_crs", "grid", "village", "township", "county", "outside_grid",
    "outside_distance_m", "source", "multi_department", "supervised", "handling_unit",
    "route_override_reason", "state", "result", "outcome", "satisfaction", "follow_up_note",
    "received_at", "due_at", "handled_at", "closed_at", "updated_at", "synthetic", "imported",
    "location_approximate",
]  # fmt: skip


def _incident(
    pk: int,
    row: LedgerRow,
    chain: tuple[int, int, int, int],
    centers: dict[int, int],
    now: dt.datetime,
) -> tuple:
    grid_id, village_id, township_id, county_id = chain
    return (
        pk, uuid.uuid4(), row.category.kind, row.category.pk, row.tier, row.title,
        row.description, row.address, _ewkb_point(row.lon, row.lat),
        _ewkb_multipoint(row.lon, row.lat), row.input_crs, grid_id, village_id, township_id,
        county_id, row.outside_m is not None, row.outside_m, row.source, False, False,
        centers[village_id], "", State.CLOSED, row.result, row.outcome, "", "", row.received,
        row.received + TIER_DEADLINE[row.tier], row.closed, row.closed, now, False, True,
        row.area is not None,
    )  # fmt: skip


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
