"""Write the demo's years of matters: departments, centers, a few synthetic users, the matters.

One transaction. The matters, their parties and their trails are built in Python and written
with bulk inserts (the services would stamp every step with the current time and take minutes).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.geos import MultiPoint, Point
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql
from psycopg.types.json import Jsonb

from accounts.crypto import encrypt, keyed_hash
from gridmap.demo.reference import COUNTY_CODE
from gridmap.demo.state import county_row, is_demo
from gridmap.models import WGS84, Area
from incidents.choices import EventKind
from incidents.demo.actors import (
    DemoIncidentsError,
    ensure_units,
    ensure_users,
)
from incidents.demo.actors import reporters as actor_names
from incidents.demo.bulk import copy_instances
from incidents.demo.grids import GridTable, load_grids
from incidents.demo.lifecycle import Context, EventRow, Matter, live
from incidents.demo.plan import MatterSeed, Stream, live_start, plan_years, rng_for
from incidents.demo.staff import Staff, Unit
from incidents.models import Category, HandlingUnit, Incident, IncidentEvent, Party, Photo
from incidents.signals import synthetic_incidents_deleting

__all__ = ["DemoIncidentsError", "ensure_users", "load_demo_incidents"]

DEFAULT_SEED = 2026
BATCH = 2_000
PARTY_FIELDS = ["incident", "role", "name", "phone", "id_number", "phone_hash", "id_number_hash"]
# Deleting events needs the append-only trigger off for the moment (inside the transaction, so
# no other session ever sees it off).
_TRIGGER_OFF = "ALTER TABLE incidents_incidentevent DISABLE TRIGGER incidents_event_append_only"
_TRIGGER_ON = "ALTER TABLE incidents_incidentevent ENABLE TRIGGER incidents_event_append_only"


@dataclass
class LoadResult:
    """What load_demo_incidents wrote, and how long each step took (seconds)."""

    incidents: int = 0
    parties: int = 0
    events: int = 0
    users_created: int = 0
    deleted: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def demo_incidents() -> int:
    """How many synthetic matters are loaded."""
    return Incident.objects.filter(synthetic=True).count()


def check_demo_county() -> None:
    """Raise DemoIncidentsError unless the Longxi demo county is loaded."""
    county = county_row()
    if county is None:
        raise DemoIncidentsError(
            _("The Longxi demo county is not loaded: run manage.py load_demo.")
        )
    if not is_demo(county):
        raise DemoIncidentsError(
            _(
                "%(county)s was imported from %(source)r, not by load_demo: the demo's synthetic "
                "matters are only loaded into the demo county."
            )
            % {"county": county, "source": county.source}
        )


def load_demo_incidents(
    *,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    replace: bool = False,
    all_years: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Generate the demo's matters up to ``now`` and write them (replacing, if asked).

    Only the last year (``plan.live_start``) unless ``all_years``: the years before it come
    through the ledger importer (``manage.py load_demo_ledger``), from the same plan.
    """
    check_demo_county()
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    result, clock = LoadResult(), _Clock()
    grids = load_grids()
    today = timezone.localdate(now, tz)
    seeds = [s for s in plan_years(grids, today=today, tz=tz, seed=seed)
             if s.received_at <= now]  # fmt: skip
    first = 0 if all_years else _first_live(seeds, live_start(today), tz)
    seeds = _from(seeds, first)
    result.timings["plan"] = clock.lap()
    progress(
        _("Planned %(count)s matters in %(s).1f s.")
        % {"count": f"{len(seeds):,}", "s": result.timings["plan"]}
    )
    with transaction.atomic():
        if replace:
            result.deleted = delete_synthetic_incidents()
            progress(_("Removed %(count)s synthetic matters.") % {"count": f"{result.deleted:,}"})
        staff = Staff(townships={c: n for c, n in zip(grids.township_codes, grids.township_names,
                                                     strict=True)}, seed=seed)  # fmt: skip
        reporters = actor_names(seeds, grids, staff, rng_for(seed, Stream.STAFF, 1))
        user_ids, result.users_created = ensure_users(staff)
        units = ensure_units()
        ctx = Context(
            now=now,
            tz=tz,
            seed=seed,
            staff=staff,
            grids=grids,
            unit_codes={unit: hu.code for unit, hu in units.items()},
            unit_names={unit: hu.name for unit, hu in units.items()},
            user_ids=user_ids,
        )
        result.timings["setup"] = clock.lap()
        # Each matter's course is drawn from its number in the whole plan, so the last year's
        # matters live the same histories whether the years before are loaded directly or not.
        matters = [live(s, first + i, reporters[i], ctx) for i, s in enumerate(seeds)]
        result.timings["histories"] = clock.lap()
        progress(
            _("Played %(count)s histories in %(s).1f s.")
            % {"count": f"{len(matters):,}", "s": result.timings["histories"]}
        )
        _write(matters, grids, units, user_ids, result)
        result.timings["write"] = clock.lap()
        progress(
            _("Wrote %(matters)s matters, %(parties)s parties and %(events)s events in %(s).1f s.")
            % {
                "matters": f"{result.incidents:,}",
                "parties": f"{result.parties:,}",
                "events": f"{result.events:,}",
                "s": result.timings["write"],
            }
        )
    return result


def _first_live(seeds: list[MatterSeed], start: dt.date, tz: dt.tzinfo) -> int:
    """Index of the first matter received on or after ``start`` (the plan is in time order)."""
    for index, matter in enumerate(seeds):
        if timezone.localdate(matter.received_at, tz) >= start:
            return index
    return len(seeds)


def _from(seeds: list[MatterSeed], first: int) -> list[MatterSeed]:
    """The matters from ``first`` on, their duplicate links renumbered to match.

    Duplicates repeat matters of the last week, so an original is never cut off.
    """
    if first == 0:
        return seeds
    kept = seeds[first:]
    for matter in kept:
        if matter.duplicate_of is not None:
            matter.duplicate_of -= first
    return kept


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        return elapsed


# --- deleting ------------------------------------------------------------------------------------


def delete_synthetic_incidents() -> int:
    """Remove every synthetic matter with its trail, parties and photos; real ones stay."""
    synthetic = Incident.objects.filter(synthetic=True)
    if Incident.objects.filter(synthetic=False, duplicate_of__synthetic=True).exists():
        raise DemoIncidentsError(
            _("Real matters are linked as duplicates of synthetic ones; unlink them first.")
        )
    # Rows of later apps that protect the matters (the demo responders' assignments) go first.
    synthetic_incidents_deleting.send(sender=Incident)
    files = list(Photo.objects.filter(incident__synthetic=True).values_list("image", flat=True))
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks of earlier inserts in this
        # transaction are pending: run them now, and defer again afterwards.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_TRIGGER_OFF)
        cursor.execute(
            "DELETE FROM incidents_incidentevent e USING incidents_incident i "
            "WHERE e.incident_id = i.id AND i.synthetic"
        )
        cursor.execute(_TRIGGER_ON)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    synthetic.exclude(duplicate_of=None).update(duplicate_of=None)
    deleted = synthetic.count()
    synthetic.delete()
    if files:
        transaction.on_commit(lambda: [Photo.image.field.storage.delete(name) for name in files])
    return deleted


# --- writing -------------------------------------------------------------------------------------


def _write(
    matters: list[Matter],
    grids: GridTable,
    units: dict[Unit, HandlingUnit],
    user_ids: dict[str, int],
    result: LoadResult,
) -> None:
    categories = dict(Category.objects.values_list("code", "id"))
    areas = dict(Area.objects.current().values_list("code", "id"))
    rows = [_incident(m, grids, units, user_ids, categories, areas) for m in matters]
    copy_instances(Incident, rows, timezone.now())
    pks = [row.pk for row in rows]
    linked = []
    for row, matter in zip(rows, matters, strict=True):
        if matter.seed.linked and any(e.kind == EventKind.DUPLICATE for e in matter.events):
            row.duplicate_of_id = pks[matter.seed.duplicate_of]
            linked.append(row)
    Incident.objects.bulk_update(linked, ["duplicate_of"])
    # COPY bypasses the model fields: encrypt and hash here as Party's fields would on save.
    parties = [
        (
            pk,
            p.role,
            p.name,
            encrypt(p.phone),
            encrypt(p.id_number),
            keyed_hash("phone", p.phone),
            keyed_hash("id_number", p.id_number),
        )
        for pk, matter in zip(pks, matters, strict=True)
        for p in matter.seed.parties
    ]
    copy_rows(Party, PARTY_FIELDS, parties)
    events = [
        _event(pk, event, user_ids, pks)
        for pk, matter in zip(pks, matters, strict=True)
        for event in matter.events
    ]
    copy_rows(IncidentEvent, EVENT_FIELDS, events)
    with connection.cursor() as cursor:
        # Fresh statistics: the planner otherwise takes the just-filled tables for nearly empty
        # and picks nested loops that take minutes.
        cursor.execute(
            "ANALYZE incidents_incident, incidents_party, incidents_incidentevent,"
            " incidents_handlingunit, gridmap_area, accounts_user"
        )
    result.incidents, result.parties, result.events = len(rows), len(parties), len(events)


def _incident(
    matter: Matter,
    grids: GridTable,
    units: dict[Unit, HandlingUnit],
    user_ids: dict[str, int],
    categories: dict[str, int],
    areas: dict[str, int],
) -> Incident:
    seed = matter.seed
    cell = seed.grids[0]
    points = [Point(lon, lat, srid=WGS84) for lon, lat in seed.points]
    village = grids.village_codes[cell]
    return Incident(
        uid=seed.uid,
        kind=seed.kind,
        category_id=categories[seed.spec.code],
        tier=matter.tier,
        title=seed.title,
        description=seed.description,
        address=seed.address,
        location=points[0],
        locations=MultiPoint(points, srid=WGS84),
        input_crs=seed.input_crs,
        location_accuracy_m=seed.accuracy_m,
        grid_id=int(grids.ids[cell]),
        village_id=areas[village],
        township_id=areas[grids.township_codes[cell]],
        county_id=areas[COUNTY_CODE],
        source=seed.source,
        reporter_id=user_ids[matter.reporter],
        multi_department=matter.multi_department,
        supervised=matter.supervised,
        owner_leader_id=user_ids[matter.owner_leader] if matter.owner_leader else None,
        handling_unit=units[matter.unit],
        route_override_reason=matter.route_override_reason,
        handler_id=user_ids[matter.handler] if matter.handler else None,
        state=matter.state,
        result=matter.result,
        outcome=matter.outcome,
        satisfaction=matter.satisfaction,
        follow_up_note=matter.follow_up_note,
        received_at=matter.received_at,
        due_at=matter.due_at,
        report_back_due_at=matter.report_back_due_at,
        handled_at=matter.handled_at,
        followed_up_at=matter.followed_up_at,
        closed_at=matter.closed_at,
        escalated_at=matter.escalated_at,
        synthetic=True,
    )


EVENT_FIELDS = [
    "incident",
    "at",
    "actor",
    "kind",
    "action",
    "from_state",
    "to_state",
    "note",
    "data",
]


def _event(pk: int, event: EventRow, user_ids: dict[str, int], pks: list[int]) -> tuple:
    data = event.data
    if event.kind == EventKind.DUPLICATE:
        data = {"duplicate_of": pks[data["duplicate_of"]]}
    actor = user_ids[event.actor] if event.actor else None
    return (pk, event.at, actor, event.kind, event.action, event.from_state, event.to_state,
            event.note, Jsonb(data))  # fmt: skip


def copy_rows(model: type[Model], fields: list[str], rows: list[tuple]) -> None:
    """Append ``rows`` (values of ``fields``, in order) to ``model``'s table.

    COPY, because bulk_create spends seconds building and parsing one INSERT of 30,000 rows.
    """
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
