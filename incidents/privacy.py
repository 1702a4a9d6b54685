"""Who may see the parties' personal data (names, phones, ID numbers), and how it is masked."""

from __future__ import annotations

from accounts.audit import record_access
from accounts.choices import AccessAction, Role
from gridmap.scoping import user_area
from incidents.models import Incident

# Roles whose work needs the parties' contact details: the center's staff handle and visit.
_STAFF_ROLES = {Role.COUNTY_ADMIN, Role.DISPATCHER}
_SEARCH_ROLES = {*_STAFF_ROLES, Role.GRID_LEADER}


def may_see_parties(user: object, incident: Incident) -> bool:
    """Whether ``user`` sees the parties of ``incident`` unmasked.

    Center staff do for matters in their jurisdiction or in their units' queues (a matter
    transferred to their center from elsewhere included); a grid leader for matters in their own
    grid; the reporter for what they took in; leadership and everyone else see masks.
    """
    area = user_area(user)
    if area is None:
        return False
    role = getattr(user, "role", None)
    user_id = getattr(user, "pk", None)
    if incident.reporter_id is not None and incident.reporter_id == user_id:
        return True
    if role == Role.GRID_LEADER:
        return incident.grid_id == area.pk
    if role in _STAFF_ROLES:
        unit = incident.handling_unit
        return (
            incident.grid.code.startswith(area.code_prefix)
            or unit.area.code.startswith(area.code_prefix)
            or unit.members.filter(pk=user_id).exists()
        )
    return False


def may_search_parties(user: object) -> bool:
    """Whether ``user`` may find matters by a party's ID number or phone.

    The roles that see the parties of the matters they may list (center staff, grid leaders):
    for a role that sees masks, a hit would confirm a guessed number.
    """
    return user_area(user) is not None and getattr(user, "role", None) in _SEARCH_ROLES


def mask_name(name: str) -> str:
    """张三丰 → 张**; keeps the family name, which staff use to address people."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """An ID number keeps its first 6 (region) and last 4 characters."""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def party_view(party: object, *, unmasked: bool) -> dict[str, str]:
    """A party as shown to a user: as stored, or masked."""
    name, phone, id_number = party.name, party.phone, party.id_number  # type: ignore[attr-defined]
    if not unmasked:
        name, phone, id_number = mask_name(name), mask_phone(phone), mask_id_number(id_number)
    return {
        "role": party.role,  # type: ignore[attr-defined]
        "role_label": str(party.get_role_display()),  # type: ignore[attr-defined]
        "name": name,
        "phone": phone,
        "id_number": id_number,
        "masked": not unmasked,
    }


def record_party_view(*, request: object, incident: Incident, count: int) -> None:
    """One access-log row for a view that showed ``count`` parties of ``incident`` unmasked."""
    if count <= 0:
        return  # nothing personal was shown
    record_access(
        action=AccessAction.PARTY_VIEW,
        request=request,  # type: ignore[arg-type]
        target_type="incident",
        target_id=incident.pk,
        target_label=incident.number,
        count=count,
    )
