"""Read paths of incidents: what a user may see, duplicate suggestions, the queue's filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import MultiPoint, Point
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.choices import Role
from gridmap.models import AREA_SHAPE_FIELDS, Area
from gridmap.scoping import user_area
from incidents.choices import OPEN_STATES, State, UnitKind
from incidents.models import Category, HandlingUnit, Incident

DUPLICATE_RADIUS_M = 50
DUPLICATE_WINDOW = dt.timedelta(days=7)


def visibility_q(user: object) -> Q:
    """Matters a user may see: in their jurisdiction, handled by their units, or reported by them.

    A matter transferred to another township's center or to a county department must show in
    that unit's queue even though its grid lies outside the unit staff's own subtree.
    """
    scope = scope_q(user)
    return scope | Q(reporter=user) if scope is not None else Q(pk__in=[])


def scope_q(user: object) -> Q | None:
    """The grid and handling-unit part of ``visibility_q`` (None: a user without jurisdiction).

    It reads only ``grid`` and ``handling_unit``, so it filters the map's tally of handled
    matters (``HandledTally``) exactly as it filters the matters themselves.
    """
    area = user_area(user)
    if area is None:
        return None
    prefix = area.code_prefix
    # Semi-joins on small tables (areas, units) rather than joins: the planner hashes them once,
    # and the map's tiles (incidents.tiles) can drive the query from the location index.
    grids = Area.objects.filter(code__startswith=prefix).values("pk")
    units = HandlingUnit.objects.filter(Q(area__code__startswith=prefix) | Q(members=user))
    return Q(grid__in=grids) | Q(handling_unit__in=units.values("pk"))


def visible_incident_by_pk(user: object, pk: int) -> Incident | None:
    """The matter ``pk`` if ``user`` may see it by ``visibility_q``'s rule, else None.

    The rule is checked on the fetched row instead of in SQL: for one matter, planning the OR
    of joins and the membership subquery costs three times the lookup itself (the dispatch
    API's hot path). A test keeps the two forms of the rule in agreement.
    """
    area = user_area(user)
    if area is None:
        return None
    incident = (
        Incident.objects.annotate(
            grid_code=F("grid__code"), unit_area_code=F("handling_unit__area__code")
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        return None
    prefix = area.code_prefix
    if (
        incident.grid_code.startswith(prefix)
        or (incident.unit_area_code or "").startswith(prefix)
        or incident.reporter_id == user.pk  # type: ignore[attr-defined]
    ):
        return incident
    member = HandlingUnit.objects.filter(pk=incident.handling_unit_id, members=user.pk)  # type: ignore[attr-defined]
    return incident if member.exists() else None


def without_area_shapes(queryset: QuerySet[Incident], *relations: str) -> QuerySet[Incident]:
    """``queryset`` not loading the shapes of the areas joined through ``relations``."""
    return queryset.defer(*(f"{rel}__{name}" for rel in relations for name in AREA_SHAPE_FIELDS))


def visible_incidents(user: object) -> QuerySet[Incident]:
    """Every matter ``user`` may see, with what lists show joined in (area shapes left out)."""
    joined = Incident.objects.filter(visibility_q(user)).select_related(
        "category", "grid", "village", "township", "handling_unit"
    )
    return without_area_shapes(joined, "grid", "village", "township")


@dataclass(frozen=True)
class DuplicateLinks:
    """The matter this one repeats and the matters that repeat it, as far as a user may see."""

    duplicate_of: Incident | None
    duplicates: list[Incident]


def duplicate_links(user: object, incident: Incident) -> DuplicateLinks:
    """``incident``'s duplicate links filtered by ``visible_incidents(user)``: a link must not
    show the number, title or state of a matter of another jurisdiction (pages and API alike)."""
    visible = visible_incidents(user)
    original = incident.duplicate_of_id
    return DuplicateLinks(
        duplicate_of=visible.filter(pk=original).first() if original is not None else None,
        duplicates=list(visible.filter(duplicate_of=incident).order_by("pk")),
    )


def open_incidents(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.filter(state__in=OPEN_STATES)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Open matters past their due time or their report-back time."""
    now = now or timezone.now()
    return Q(state__in=OPEN_STATES) & (Q(due_at__lt=now) | Q(report_back_due_at__lt=now))


@dataclass(frozen=True)
class DuplicateCandidate:
    incident: Incident
    distance_m: float


def possible_duplicates(
    *,
    category: Category,
    points: list[Point],
    user: object,
    now: dt.datetime | None = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[DuplicateCandidate]:
    """Matters of the same category within 50 m of any point, taken in during the last 7 days.

    Only matters the user may see are suggested; nearest first.
    """
    now = now or timezone.now()
    where = MultiPoint(points, srid=4326)
    # Distance on geodetic fields is in metres (PostGIS geography); the degree box first lets the
    # GiST index on ``location`` cut the candidates before the exact test.
    box = where.buffer(0.001).envelope
    candidates = (
        visible_incidents(user)
        .filter(
            category=category,
            received_at__gte=now - DUPLICATE_WINDOW,
            received_at__lte=now,
            locations__bboverlaps=box,
        )
        .annotate(distance=Distance("locations", where))
        .filter(distance__lte=DUPLICATE_RADIUS_M)
        .order_by("distance", "-received_at")
    )
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    return [DuplicateCandidate(c, float(c.distance.m)) for c in candidates[:limit]]


def center_of(area_id: int) -> HandlingUnit | None:
    """The center of an area, if it has been set up."""
    return HandlingUnit.objects.filter(kind=UnitKind.CENTER, area_id=area_id).first()


def units_for_user(user: object) -> QuerySet[HandlingUnit]:
    """The units whose queue a user works: their jurisdiction's center and their departments."""
    area = user_area(user)
    if area is None:
        return HandlingUnit.objects.none()
    if getattr(user, "role", None) == Role.GRID_LEADER:
        return HandlingUnit.objects.filter(members=user)
    return HandlingUnit.objects.filter(
        Q(kind=UnitKind.CENTER, area=area) | Q(members=user)
    ).distinct()


# The queue's ``scope`` parameter: "all" shows the whole jurisdiction; otherwise a user who works
# for units sees their units' matters (their center's queue), others their whole jurisdiction.
WHOLE_JURISDICTION = "all"
# "needs action": the whole jurisdiction's matters nobody has routed yet (received, assessed) and
# the overdue ones, whichever center holds them; the dispatcher's default view (issue 20: a new
# field report of a village showed only under the whole jurisdiction).
NEEDS_ACTION = "action"
NEEDS_ACTION_STATES = (State.RECEIVED, State.ASSESSED)


def needs_action_q(now: dt.datetime | None = None) -> Q:
    """Matters waiting for a dispatcher: not yet routed, or overdue."""
    return Q(state__in=NEEDS_ACTION_STATES) | overdue_q(now)


def queue_incidents(user: object, scope: str | None) -> tuple[QuerySet[Incident], list, bool]:
    """The matters of a queue view, the user's units, and whether it spans the jurisdiction."""
    units = list(units_for_user(user))
    matters = visible_incidents(user)
    if scope == NEEDS_ACTION:
        return matters.filter(needs_action_q()), units, True
    whole = scope == WHOLE_JURISDICTION or not units
    if not whole:
        matters = matters.filter(handling_unit__in=units)
    return matters, units, whole
