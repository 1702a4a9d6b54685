"""The center's routing rule, spatially: which center (or the county) handles a matter.

A matter goes to the center of the lowest area that covers all of its locations: the deepest
common prefix of their grid codes. Grids have no center of their own, so a matter inside one grid
goes to its village. A matter that involves several departments, or whose locations span
townships, goes to the county center (as a joint mediation team).
"""

from __future__ import annotations

from collections.abc import Sequence

from gridmap.choices import AreaLevel, ancestor_codes
from gridmap.models import Area
from incidents.choices import UnitKind
from incidents.models import HandlingUnit


def covering_code(grid_codes: Sequence[str], *, multi_department: bool) -> str:
    """The code of the area whose center handles a matter in these grids."""
    if not grid_codes:
        raise ValueError("a matter has at least one location")
    chains = [ancestor_codes(code, AreaLevel.GRID) for code in grid_codes]  # county, town, village
    county, township, village = chains[0]
    if multi_department or any(chain[1] != township for chain in chains):
        return county
    if any(chain[2] != village for chain in chains):
        return township
    return village


def center_for(area: Area) -> HandlingUnit:
    """The center of a county, township or village area, created on first use.

    Centers are not imported with the boundaries (gridmap knows nothing of incidents): every
    such area has one, so it is made when a matter first needs it.
    """
    if area.level == AreaLevel.GRID:
        area = area.parent
    unit, _created = HandlingUnit.objects.get_or_create(
        kind=UnitKind.CENTER, area=area, defaults=center_fields(area)
    )
    return unit


def center_fields(area: Area) -> dict[str, str]:
    """The code and name of the center made for ``area`` (one rule for every writer of them)."""
    return {"code": f"center-{area.code}", "name": f"{area.name}综治中心"}


def routed_unit(grid_codes: Sequence[str], *, multi_department: bool) -> HandlingUnit:
    """The handling unit the rule picks for a matter in these grids."""
    area = Area.objects.without_shapes().get(
        code=covering_code(grid_codes, multi_department=multi_department)
    )
    return center_for(area)


def parent_unit(unit: HandlingUnit) -> HandlingUnit:
    """Where an overdue matter escalates: the parent area's center (a department: its seat's).

    The county center has no parent; it escalates to itself (the matter is still marked).
    """
    if unit.kind == UnitKind.DEPARTMENT:
        return center_for(unit.area)
    parent = unit.area.parent
    return center_for(parent) if parent is not None else unit
