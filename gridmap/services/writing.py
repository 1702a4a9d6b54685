"""Writing planned areas: create, re-version, update attributes, retire."""

from __future__ import annotations

import datetime as dt

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone
from django.utils.translation import gettext as _

from gridmap.choices import (
    LEVEL_ORDER,
    ancestor_codes,
    code_prefix,
)
from gridmap.models import WGS84, Area, AreaVersion
from gridmap.services.features import _as_multipolygon, _Feature
from gridmap.services.planning import _Existing, _Plan
from gridmap.services.results import InvalidFeaturesError


def _geos(geom: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(shapely.to_wkb(geom, hex=True), srid=WGS84)


def _create(plan: _Plan, *, source: str, valid_from: dt.date, present: set[str], bar) -> None:
    """Insert new areas level by level, so every parent has an id before its children."""
    for level in LEVEL_ORDER:
        batch = [f for f in plan.create if f.level == level]
        areas = [
            Area(
                code=f.code,
                name=f.name,
                level=f.level,
                parent_id=plan.ids[f.parent_code] if f.parent_code else None,
                boundary=_geos(f.geom),
                display_boundary=_geos(f.display),
                label_point=_geos(f.label),
                population=f.population,
                households=f.households,
                synthetic=bool(f.synthetic),
                valid_from=valid_from,
                source=source[:200],
            )
            for f in batch
        ]
        Area.objects.bulk_create(areas, batch_size=500)
        plan.ids.update({area.code: area.pk for area in areas})
        bar.update(len(batch))


def _updated_area(feature: _Feature, old: _Existing, present: set[str], now) -> Area:
    area = Area(pk=old.id, name=feature.name, updated_at=now)
    for name in present:
        setattr(area, name, getattr(feature, name))
    if area.synthetic is None:
        area.synthetic = False
    return area


def _reversion(plan: _Plan, *, source: str, valid_from: dt.date, present: set[str], bar) -> None:
    """Copy each changed area's boundary into AreaVersion, then give it the new one."""
    AreaVersion.objects.bulk_create(
        [
            AreaVersion(
                area_id=old.id,
                version=old.version,
                name=old.name,
                boundary=_geos(_as_multipolygon(old.geom)),
                population=old.population,
                households=old.households,
                valid_from=old.valid_from,
                valid_to=valid_from,
                source=old.source,
            )
            for _feature, old in plan.reversion
        ],
        batch_size=500,
    )
    now = timezone.now()
    areas = []
    for feature, old in plan.reversion:
        area = _updated_area(feature, old, present, now)
        area.boundary = _geos(feature.geom)
        area.display_boundary = _geos(feature.display)
        area.label_point = _geos(feature.label)
        area.version = old.version + 1
        area.valid_from = valid_from
        area.source = source[:200]
        areas.append(area)
    fields = ["name", "updated_at", *present, "boundary", "display_boundary", "label_point"]
    fields += ["version", "valid_from", "source"]
    Area.objects.bulk_update(areas, fields, batch_size=200)
    bar.update(len(areas))


def _touch(plan: _Plan, *, present: set[str]) -> None:
    """Update names and figures in place where the boundary did not change."""
    now = timezone.now()
    areas = [_updated_area(feature, old, present, now) for feature, old in plan.touch]
    Area.objects.bulk_update(areas, ["name", "updated_at", *present], batch_size=500)


def _retire(under: str, features: list[_Feature], valid_from: dt.date) -> tuple[int, int]:
    """Retire areas below ``under`` that the file leaves out; returns (count, id of ``under``)."""
    parent = Area.objects.current().filter(code=under).first()
    if parent is None:
        raise InvalidFeaturesError(
            [_("retire-missing-under: %(code)s is not an area in force.") % {"code": under}]
        )
    keep = {f.code for f in features}
    keep |= {code for f in features if f.level for code in ancestor_codes(f.code, f.level)}
    retired = (
        Area.objects.current()
        .filter(code__startswith=code_prefix(parent.code, parent.level))
        .exclude(code=parent.code)
        .exclude(code__in=keep)
        .update(valid_to=valid_from, updated_at=timezone.now())
    )
    return retired, parent.pk
