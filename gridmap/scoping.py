"""Jurisdiction scoping: every queryset a user sees is cut to their area's subtree.

A user's jurisdiction is an Area; they see objects whose area code starts with that area's code
prefix (the code is a materialised path). A user without a jurisdiction sees nothing, superusers
included: an administrator's account is given the county as jurisdiction.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from gridmap.models import Area
from gridmap.queries import beyond_reach

M = TypeVar("M", bound=Model)


def user_area(user: object) -> Area | None:
    """The area a user may see, or None for anonymous users and users without one."""
    if not getattr(user, "is_authenticated", False):
        return None
    area_id = getattr(user, "jurisdiction_id", None)
    if area_id is None:
        return None
    field = user._meta.get_field("jurisdiction")
    if not field.is_cached(user):
        # Loaded once per request without its boundary: scoping needs the code, and parsing a
        # county's outline on every request costs more than the rest of a typical lookup.
        field.set_cached_value(user, Area.objects.without_shapes().filter(pk=area_id).first())
    return user.jurisdiction


def jurisdiction_q(user: object, area_path: str = "area") -> Q:
    """A filter on ``<area_path>__code`` that keeps the user's subtree (matches nothing if none).

    ``area_path`` is the lookup path from the model to its Area ("area", "grid", "" for Area).
    """
    area = user_area(user)
    lookup = f"{area_path}__code__startswith" if area_path else "code__startswith"
    if area is None:
        return Q(pk__in=[])
    return Q(**{lookup: area.code_prefix})


def scope(queryset: QuerySet[M], user: object, area_path: str = "area") -> QuerySet[M]:
    """``queryset`` cut to what ``user`` may see."""
    return queryset.filter(jurisdiction_q(user, area_path))


def can_see_area(user: object, area: Area) -> bool:
    """Whether ``area`` lies in the user's jurisdiction."""
    mine = user_area(user)
    return mine is not None and area.code.startswith(mine.code_prefix)


def far_point_message(user: object, points: list[tuple[float, float]]) -> str | None:
    """Why ``points`` (WGS84 lon/lat) are refused for ``user``: None when every point lies
    within POINT_MARGIN_KM of the user's jurisdiction (of any county for a user without one).

    A point slightly outside is kept (tied to the nearest grid and flagged); one farther away
    is a wrong fix, a swapped or zeroed coordinate, or someone probing.
    """
    margin_km = settings.POINT_MARGIN_KM
    area_id = getattr(user, "jurisdiction_id", None)
    far = beyond_reach(points, area_id=area_id, margin_m=margin_km * 1000)
    if not far:
        return None
    lon, lat = points[far[0]]
    return _(
        "The point %(lon).5f, %(lat).5f lies more than %(km)s km outside your jurisdiction; "
        "check the location."
    ) % {"lon": lon, "lat": lat, "km": f"{margin_km:g}"}
