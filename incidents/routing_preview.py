"""Which center the routing rule will pick for a matter, read without writing (the detail page
says it before the dispatcher routes; issue 20)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridmap.models import Area
from incidents.choices import UnitKind
from incidents.models import HandlingUnit, Incident
from incidents.routing import covering_code


def rule_target_name(incident: Incident) -> str:
    """The name of the center the routing rule picks for ``incident`` now (its first point's grid;
    a matter spanning villages or townships goes up, as in routing.covering_code)."""
    codes = [incident.grid.code]
    code = covering_code(codes, multi_department=incident.multi_department)
    unit = HandlingUnit.objects.filter(kind=UnitKind.CENTER, area__code=code).first()
    if unit is not None:
        return unit.name
    area = Area.objects.without_shapes().get(code=code)
    # routing.center_for makes the center with this name when the matter is routed.
    return _("%(area)s center (made on routing)") % {"area": f"{area.name}综治中心"}
