"""Positions from phones: a unit's members report where it is, at most once per interval."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.coords import CoordinateError, parse_number, parse_point
from gridmap.scoping import far_point_message
from volunteers.models import WGS84, Responder
from volunteers.services.rules import is_member


class PositionInputError(ValueError):
    """A position that cannot be used (HTTP 400); ``field`` names the input, ``message`` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotAMemberError(PermissionError):
    """The user does not act for this responder, or it is retired (HTTP 403)."""


class PositionTooSoon(Exception):  # noqa: N818  (the agreed name)
    """A unit posted its position less than DISPATCH_POSITION_MIN_INTERVAL_S ago (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def post_position(
    *,
    responder_id: int,
    actor: object,
    lon: object,
    lat: object,
    crs: str = "wgs84",
    accuracy_m: object = None,
) -> Responder:
    """A unit's phone reports where it is (WGS84, GCJ-02 or BD-09; stored as WGS84).

    Only the unit's members may post, at most once per DISPATCH_POSITION_MIN_INTERVAL_S; the
    interval is checked against the stored time under the unit's row lock, so two phones of one
    squad posting at once store one position. Nothing is stored on any refusal.
    """
    unit = Responder.objects.filter(pk=responder_id).first()
    if unit is None or not is_member(actor, unit):
        raise NotAMemberError(_("Only the unit's own members can post its position."))
    try:
        point = parse_point(lon, lat, crs)
    except CoordinateError as error:
        raise PositionInputError(error.field, error.message) from None
    far = far_point_message(actor, [(point.lon, point.lat)])
    if far is not None:
        raise PositionInputError("lon", far)
    accuracy = _parse_accuracy(accuracy_m)
    with transaction.atomic():
        unit = Responder.objects.select_for_update(of=("self",)).get(pk=responder_id)
        if not unit.active:
            raise NotAMemberError(
                _("%(unit)s is retired: its position is not taken.") % {"unit": unit}
            )
        now = timezone.now()
        _check_interval(unit, now)
        unit.position = Point(point.lon, point.lat, srid=WGS84)
        unit.position_at = now
        unit.position_accuracy_m = accuracy
        unit.save(update_fields=["position", "position_at", "position_accuracy_m"])
    return unit


def _parse_accuracy(raw: object) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = parse_number(raw, "accuracy_m")
    except CoordinateError as error:
        raise PositionInputError(error.field, error.message) from None
    if value < 0:
        raise PositionInputError("accuracy_m", _("accuracy_m cannot be negative."))
    return value


def _check_interval(unit: Responder, now: dt.datetime) -> None:
    if unit.position_at is None:
        return
    interval = settings.DISPATCH_POSITION_MIN_INTERVAL_S
    wait = interval - (now - unit.position_at).total_seconds()
    if wait > 0:
        retry_after = min(max(math.ceil(wait), 1), interval)
        raise PositionTooSoon(
            _("One position every %(interval)d seconds; try again in %(wait)d s.")
            % {"interval": interval, "wait": retry_after},
            retry_after,
        )
