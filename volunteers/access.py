"""Who may dispatch a matter, who acts for a unit, and who sees a unit's phone in full.

Shared by the dispatch API and pages so that both answer the same. The services re-check every
write; these answers decide what is shown and which status a refusal gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import Role
from gridmap.choices import ancestor_codes
from gridmap.models import Area
from gridmap.scoping import user_area
from incidents.models import Incident
from incidents.privacy import mask_phone
from incidents.queries import visible_incident_by_pk
from volunteers.models import Responder
from volunteers.queries import incident_dispatched_by
from volunteers.services import DISPATCH_ROLES, dispatches_for, has_dispatch_role


def visible_incident(user: object, pk: int) -> Incident:
    """The matter ``pk`` if ``user`` may see it, else 404."""
    incident = visible_incident_by_pk(user, pk)
    if incident is None:
        raise Http404(_("No matter %(id)s that you can see.") % {"id": pk})
    return incident


def dispatchable_incident(user: object, pk: int) -> Incident:
    """The matter ``pk`` if ``user`` dispatches for it; 404 if unseen, 403 if seen only.

    Django's Http404 and PermissionDenied, which DRF answers as 404 and 403 too, so the pages
    and the API refuse alike.
    """
    # The everyday case in one statement; a refusal reads the rules again to say which.
    if has_dispatch_role(user):
        incident = incident_dispatched_by(user, pk)
        if incident is not None:
            return incident
    incident = visible_incident(user, pk)
    if not dispatches_for(user, incident):
        raise PermissionDenied(
            _("Only dispatchers of %(unit)s can dispatch this matter.")
            % {"unit": incident.handling_unit}
        )
    return incident


@dataclass(frozen=True)
class Viewer:
    """What one request's user is, read once: role, jurisdiction prefix, the units they act for."""

    role: str | None
    area_code: str | None
    area_prefix: str | None
    user_pk: int | None

    @classmethod
    def of(cls, user: object) -> Viewer:
        area = user_area(user)
        return cls(
            role=getattr(user, "role", None),
            area_code=area.code if area is not None else None,
            area_prefix=area.code_prefix if area is not None else None,
            user_pk=getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
        )

    @cached_property
    def units(self) -> frozenset[int]:
        """The ids of the units the user acts for, read on first need: a dispatcher looking at
        units of their own area never needs them (one query less on the candidates API)."""
        if self.user_pk is None:
            return frozenset()
        return frozenset(
            Responder.objects.filter(members=self.user_pk).values_list("pk", flat=True)
        )

    @property
    def is_dispatcher(self) -> bool:
        return self.role in DISPATCH_ROLES and self.area_prefix is not None

    def is_member(self, responder: Responder) -> bool:
        """Whether the user acts for ``responder`` (one of its member accounts)."""
        return responder.pk in self.units

    def sees_phone(self, responder: Responder, *, dispatching: bool = False) -> bool:
        """The unit's members, and dispatchers whose jurisdiction and the unit's home area nest
        (the unit serves their area, or works inside it); ``dispatching``: the user dispatches a
        matter the unit is assigned to and has to reach it."""
        # The dispatcher's rule first: it needs no query, and membership only when it says no.
        if self.is_dispatcher and (dispatching or self._nests_with(responder.home_area)):
            return True
        return self.is_member(responder)

    def _nests_with(self, home: Area) -> bool:
        """Whether the user's area holds ``home`` or lies inside it."""
        return home.code.startswith(self.area_prefix or "") or (self.area_code or "").startswith(
            home.code_prefix
        )

    def phone(self, responder: Responder, *, dispatching: bool = False) -> str:
        """The unit's phone as this user may see it: in full, or masked (139****5678)."""
        if self.sees_phone(responder, dispatching=dispatching):
            return responder.phone
        return mask_phone(responder.phone)


# --- units on maps and in assignments ------------------------------------------------------------

VIEWING_ROLES = (*DISPATCH_ROLES, Role.LEADERSHIP)


def visible_responders(user: object) -> QuerySet[Responder]:
    """Active units with a position whose home area nests with the user's jurisdiction.

    The rule of the responder layer (tiles) and of positions in assignments: dispatchers and
    leadership only.
    """
    area = user_area(user)
    if area is None or getattr(user, "role", None) not in VIEWING_ROLES:
        return Responder.objects.none()
    nests = Q(home_area__code__startswith=area.code_prefix) | Q(
        home_area__code__in=ancestor_codes(area.code, area.level)
    )
    return Responder.objects.filter(nests, active=True, position__isnull=False)
