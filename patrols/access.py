"""Who sees patrols and tracks: the leader, and the centers above the grid ("the center chain").

A track says where a person was, minute by minute: it is personal data. The leader sees their
own; center staff (dispatchers, county administrators) see the tracks of grids in their
jurisdiction, and each view by them is a row of the access log (issue 12). Leadership viewers
and responders see no tracks; the monthly figures (no positions) are shown to leadership too.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.audit import record_access
from accounts.choices import AccessAction, Role
from gridmap.models import Area
from gridmap.scoping import user_area
from patrols.models import Patrol

CHAIN_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}
FIGURE_ROLES = {*CHAIN_ROLES, Role.LEADERSHIP}


def visible_patrols(user: object) -> QuerySet[Patrol]:
    """The patrols whose tracks ``user`` may see: their own, or their center chain's grids."""
    area = user_area(user)
    if area is None:
        return Patrol.objects.none()
    role = getattr(user, "role", None)
    if role == Role.GRID_LEADER:
        return Patrol.objects.filter(leader_id=getattr(user, "pk", None))
    if role in CHAIN_ROLES:
        return Patrol.objects.filter(
            Q(grid__code__startswith=area.code_prefix) | Q(leader_id=getattr(user, "pk", None))
        )
    return Patrol.objects.none()


def may_see_tracks_of(user: object, grid: Area) -> bool:
    """Whether ``user`` is in the center chain of ``grid`` (or is its grid leader)."""
    area = user_area(user)
    if area is None:
        return False
    role = getattr(user, "role", None)
    if role == Role.GRID_LEADER:
        return area.pk == grid.pk
    return role in CHAIN_ROLES and grid.code.startswith(area.code_prefix)


def may_see_figures(user: object) -> bool:
    """Whether ``user`` may read the monthly patrol figures of their jurisdiction."""
    return user_area(user) is not None and getattr(user, "role", None) in FIGURE_ROLES


def record_track_view(*, request: object, patrols: list[Patrol], label: str) -> None:
    """One access-log row for a view that showed others' tracks (one's own are not logged)."""
    user_id = getattr(getattr(request, "user", None), "pk", None)
    others = [p for p in patrols if p.leader_id != user_id and p.track is not None]
    if not others:
        return
    record_access(
        action=AccessAction.TRACK_VIEW,
        request=request,  # type: ignore[arg-type]
        target_type="patrol",
        target_id=others[0].pk if len(others) == 1 else "",
        target_label=label,
        count=len(others),
    )
