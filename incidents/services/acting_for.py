"""Who acts for a handling unit: its members, and center staff whose area covers it.

In two forms held equal by a test: a query (``acts_for``, ``acts_for_unit``) and one SQL
expression (``ACTS_FOR_UNIT_SQL``) for statements that lock a matter and check its actor at once.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.choices import Role
from gridmap.scoping import user_area
from incidents.models import HandlingUnit

STAFF_ROLES = {Role.DISPATCHER, Role.COUNTY_ADMIN}


def acts_for(user: object, unit: HandlingUnit) -> bool:
    """Whether ``user`` works for ``unit``: a member, or center staff whose area covers it."""
    return acts_for_unit(user, unit.pk)


def acts_for_unit(user: object, unit_id: int | None) -> bool:
    """``acts_for`` by the unit's id, in one query (the unit and its area need not be loaded)."""
    if getattr(user, "pk", None) is None or unit_id is None:
        return False
    rule = Q(members=user.pk)  # type: ignore[attr-defined]
    area = user_area(user)
    if getattr(user, "role", None) in STAFF_ROLES and area is not None:
        rule |= Q(area__code__startswith=area.code_prefix)
    return HandlingUnit.objects.filter(rule, pk=unit_id).exists()


# ``acts_for_unit`` as one SQL expression on the column ``i.handling_unit_id``, for a statement
# that locks a matter and checks its actor at once (volunteers.services.assign): building the
# separate EXISTS query cost more than a third of an assignment (bench/dispatch.py). Parameters:
# ``acts_for_unit_params``. A test keeps the two forms in agreement.
ACTS_FOR_UNIT_SQL = """EXISTS (
    SELECT 1 FROM incidents_handlingunit u JOIN gridmap_area a ON a.id = u.area_id
    WHERE u.id = i.handling_unit_id
      AND (starts_with(a.code, %(staff_prefix)s)
           OR EXISTS (SELECT 1 FROM incidents_handlingunit_members m
                      WHERE m.handlingunit_id = u.id AND m.user_id = %(actor)s)))"""


def acts_for_unit_params(user: object) -> dict[str, object]:
    """The parameters of ``ACTS_FOR_UNIT_SQL`` for ``user`` (a NULL prefix: not center staff)."""
    pk = getattr(user, "pk", None)
    area = user_area(user)
    staff = pk is not None and area is not None and getattr(user, "role", None) in STAFF_ROLES
    return {"actor": pk, "staff_prefix": area.code_prefix if staff else None}
