"""Write paths of patrols: start, add a batch of track points, end. One transaction each.

Every call is idempotent where a phone may retry it: a start with the same ``uid`` returns the
first patrol; a batch with the same ``uid`` adds nothing the second time; ending an ended patrol
returns it unchanged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.choices import Role
from gridmap.choices import AreaLevel
from gridmap.coords import CoordinateError, parse_point
from gridmap.scoping import far_point_message, user_area
from patrols.figures import refresh_figures
from patrols.models import Patrol, TrackBatch, TrackPoint

MAX_BATCH_POINTS = 500
# A phone's clock may be a little off the server's; times further off than this are refused.
CLOCK_SLACK = dt.timedelta(minutes=5)
# A patrol started offline may be sent up to a day later.
LATE_START = dt.timedelta(hours=24)


class PatrolError(Exception):
    """A patrol action refused; ``errors`` maps fields to messages (empty: see the message)."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class PatrolForbiddenError(PatrolError):
    """The user may not do this (not a grid leader, not their patrol)."""


class PatrolNotFoundError(PatrolError):
    """No such patrol of this user."""


class PatrolConflictError(PatrolError):
    """The patrol's state does not allow it (another one is open, this one has ended)."""


@dataclass(frozen=True)
class PointInput:
    """One fix as the phone sends it (not yet validated)."""

    lon: object
    lat: object
    at: object
    accuracy_m: object = None


@dataclass(frozen=True)
class BatchResult:
    patrol: Patrol
    added: int
    duplicate: bool


def _uid(raw: object, field: str = "uid") -> uuid.UUID:
    if raw in (None, ""):
        return uuid.uuid4()
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise PatrolError(_("uid must be a UUID."), {field: [_("uid must be a UUID.")]}) from None


def _time(raw: object, field: str, *, default: dt.datetime | None = None) -> dt.datetime:
    """An aware datetime from ISO 8601 text (or epoch milliseconds, as JS Date.now() gives)."""
    if raw in (None, "") and default is not None:
        return default
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            value = dt.datetime.fromtimestamp(raw / 1000, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            value = None
    elif isinstance(raw, str):
        try:
            value = parse_datetime(raw)
        except ValueError:
            value = None
    if value is None:
        message = _("%(field)s must be a time (ISO 8601).") % {"field": field}
        raise PatrolError(message, {field: [message]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def start_patrol(
    *, leader: object, uid: object = None, started_at: object = None, now: dt.datetime | None = None
) -> tuple[Patrol, bool]:
    """Open a patrol of ``leader`` in their grid; (patrol, created).

    A retry with the same ``uid`` returns the first patrol. A leader with another open patrol
    gets PatrolConflictError (the phone ends it first).
    """
    grid = user_area(leader)
    if getattr(leader, "role", None) != Role.GRID_LEADER or grid is None:
        raise PatrolForbiddenError(_("Only a grid leader patrols a grid."))
    if grid.level != AreaLevel.GRID:
        raise PatrolForbiddenError(_("Your jurisdiction is not a grid cell."))
    key = _uid(uid)
    existing = Patrol.objects.filter(uid=key).first()
    if existing is not None:
        if existing.leader_id != leader.pk:  # type: ignore[attr-defined]
            raise PatrolError(
                _("This uid belongs to someone else's patrol; send a new one."),
                {"uid": [_("This uid belongs to someone else's patrol; send a new one.")]},
            )
        return existing, False
    now = now or timezone.now()
    begin = _time(started_at, "started_at", default=now)
    if not now - LATE_START <= begin <= now + CLOCK_SLACK:
        message = _("started_at must lie within the last 24 hours.")
        raise PatrolError(message, {"started_at": [message]})
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(uid=key, leader=leader, grid=grid, started_at=begin)
    except IntegrityError:
        # The partial unique index: this leader already has an open patrol (or a racing retry).
        again = Patrol.objects.filter(uid=key).first()
        if again is not None:
            return again, False
        raise PatrolConflictError(_("You already have an open patrol; end it first.")) from None
    return patrol, True


def _locked_own_patrol(patrol_id: int, leader: object) -> Patrol:
    patrol = Patrol.objects.select_for_update().filter(pk=patrol_id).first()
    if patrol is None or patrol.leader_id != getattr(leader, "pk", None):
        # Someone else's patrol is not shown to exist (a track is personal data).
        raise PatrolNotFoundError(_("No patrol %(id)s of yours.") % {"id": patrol_id})
    return patrol


def _accuracy(raw: object, index: int) -> float | None:
    """The device's accuracy in metres (None when not sent)."""
    if raw in (None, ""):
        return None
    try:
        accuracy = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        accuracy = -1.0
    if not 0 <= accuracy < 100_000:
        message = _("Point %(n)d: accuracy must be metres (0-100,000).") % {"n": index}
        raise PatrolError(message, {f"points[{index}]": [message]})
    return accuracy


def _checked_points(
    points: Sequence[PointInput] | None, patrol: Patrol, leader: object, now: dt.datetime
) -> list[tuple[float, float, dt.datetime, float | None]]:
    if points is None:
        message = _("points must be a list of {lon, lat, at, accuracy} objects.")
        raise PatrolError(message, {"points": [message]})
    if not points:
        raise PatrolError(_("A batch holds at least one point."), {"points": [_("No points.")]})
    if len(points) > MAX_BATCH_POINTS:
        message = _("At most %(count)d points per batch.") % {"count": MAX_BATCH_POINTS}
        raise PatrolError(message, {"points": [message]})
    earliest = patrol.started_at - CLOCK_SLACK
    latest = (patrol.ended_at or now) + CLOCK_SLACK
    checked = []
    for index, raw in enumerate(points, start=1):
        field = f"points[{index}]"
        try:
            lonlat = parse_point(raw.lon, raw.lat)
        except CoordinateError as error:
            raise PatrolError(error.message, {field: [error.message]}) from None
        at = _time(raw.at, field)
        if not earliest <= at <= latest:
            message = _("Point %(n)d was recorded outside the patrol's time.") % {"n": index}
            raise PatrolError(message, {field: [message]})
        checked.append((lonlat.lon, lonlat.lat, at, _accuracy(raw.accuracy_m, index)))
    far = far_point_message(leader, [(lon, lat) for lon, lat, _at, _acc in checked])
    if far is not None:
        raise PatrolError(far, {"points": [far]})
    return checked


def add_points(
    *,
    patrol_id: int,
    leader: object,
    uid: object,
    points: Sequence[PointInput] | None,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Store one batch of fixes and refresh the patrol's track and figures.

    A batch whose ``uid`` was stored before adds nothing (``duplicate``). Points may arrive after
    the patrol ended (a phone that was offline) as long as they were recorded during it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        patrol = _locked_own_patrol(patrol_id, leader)
        if uid in (None, ""):
            message = _("A batch needs its uid.")
            raise PatrolError(message, {"uid": [message]})
        key = _uid(uid)
        if patrol.track_deleted_at is not None:
            raise PatrolConflictError(_("This patrol's track has been deleted."))
        earlier = TrackBatch.objects.filter(uid=key).first()
        if earlier is not None:
            if earlier.patrol_id != patrol.pk:
                raise PatrolError(
                    _("This batch uid was used for another patrol."),
                    {"uid": [_("This batch uid was used for another patrol.")]},
                )
            return BatchResult(patrol, 0, duplicate=True)
        checked = _checked_points(points, patrol, leader, now)
        TrackBatch.objects.create(patrol=patrol, uid=key, point_count=len(checked))
        TrackPoint.objects.bulk_create(
            TrackPoint(patrol=patrol, at=at, point=Point(lon, lat, srid=4326), accuracy_m=accuracy)
            for lon, lat, at, accuracy in checked
        )
        refresh_figures(patrol.pk)
    patrol.refresh_from_db()
    return BatchResult(patrol, len(checked), duplicate=False)


def end_patrol(
    *, patrol_id: int, leader: object, ended_at: object = None, now: dt.datetime | None = None
) -> Patrol:
    """End the patrol at ``ended_at`` (the phone's time of the tap; default now).

    Ending an ended patrol returns it unchanged (a retried request).
    """
    now = now or timezone.now()
    with transaction.atomic():
        patrol = _locked_own_patrol(patrol_id, leader)
        if patrol.ended_at is not None:
            return patrol
        end = _time(ended_at, "ended_at", default=now)
        if end > now + CLOCK_SLACK:
            message = _("ended_at lies in the future.")
            raise PatrolError(message, {"ended_at": [message]})
        # A phone clock slightly behind the server's must not end a patrol before it started.
        patrol.ended_at = max(end, patrol.started_at)
        patrol.save(update_fields=["ended_at"])
    return patrol
