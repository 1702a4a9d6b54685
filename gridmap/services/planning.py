"""Planning an import against the database: what is new, re-versioned, touched or unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.utils.translation import gettext as _

from gridmap.models import Area, hierarchy_errors
from gridmap.services.features import _Errors, _Feature
from gridmap.services.results import SAME_BOUNDARY_DEGREES


@dataclass
class _Existing:
    id: int
    code: str
    level: str
    name: str
    population: int | None
    households: int | None
    synthetic: bool
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    geom: shapely.Geometry


@dataclass
class _Plan:
    create: list[_Feature] = field(default_factory=list)
    reversion: list[tuple[_Feature, _Existing]] = field(default_factory=list)
    touch: list[tuple[_Feature, _Existing]] = field(default_factory=list)
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)


def _load_existing(codes: set[str]) -> dict[str, _Existing]:
    rows = list(
        Area.objects.filter(code__in=codes)
        .annotate(wkb=AsWKB("boundary"))
        .values(
            "id",
            "code",
            "level",
            "name",
            "population",
            "households",
            "synthetic",
            "version",
            "valid_from",
            "valid_to",
            "source",
            "wkb",
        )
    )
    geoms = shapely.from_wkb([bytes(row.pop("wkb")) for row in rows])
    return {row["code"]: _Existing(**row, geom=g) for row, g in zip(rows, geoms, strict=True)}


def _same_boundaries(new: list[shapely.Geometry], old: list[shapely.Geometry]) -> np.ndarray:
    if not new:
        return np.zeros(0, dtype=bool)
    a = shapely.normalize(np.array(new, dtype=object))
    b = shapely.normalize(np.array(old, dtype=object))
    same = shapely.equals_exact(a, b, tolerance=SAME_BOUNDARY_DEGREES)
    for i in np.flatnonzero(~same):
        same[i] = shapely.hausdorff_distance(a[i], b[i]) <= SAME_BOUNDARY_DEGREES
    return same


def _check_tree(features: list[_Feature], existing: dict[str, _Existing], errors: _Errors) -> None:
    """hierarchy_errors for every feature, against parents in the file or in force in the DB."""
    in_file = {f.code: f for f in features}
    for feature in features:
        parent = None
        if feature.parent_code:
            ref = in_file.get(feature.parent_code) or existing.get(feature.parent_code)
            if ref is None or getattr(ref, "valid_to", None) is not None:
                errors.add(
                    feature,
                    _("its parent %(parent)s is neither in the file nor an area in force.")
                    % {"parent": feature.parent_code},
                )
                continue
            parent = Area(code=ref.code, level=ref.level)
        for message in hierarchy_errors(
            code=feature.code, level=feature.level, parent=parent
        ).values():
            errors.add(feature, str(message))


def _check_existing(feature: _Feature, old: _Existing, errors: _Errors) -> None:
    if old.level != feature.level:
        errors.add(
            feature,
            _("%(code)s is a %(old)s in the database; an import cannot change it to a %(new)s.")
            % {"code": feature.code, "old": old.level, "new": feature.level},
        )
    if old.valid_to is not None:
        errors.add(
            feature,
            _("%(code)s was retired on %(date)s; a retired code is not reused.")
            % {"code": feature.code, "date": old.valid_to},
        )


def _attributes_differ(feature: _Feature, old: _Existing, present: set[str]) -> bool:
    if feature.name != old.name:
        return True
    return any(getattr(feature, name) != getattr(old, name) for name in present)


def _plan(features: list[_Feature], present: set[str], valid_from: dt.date) -> _Plan:
    """Sort features into create / re-version / update in place / unchanged; check the tree."""
    codes = {f.code for f in features} | {f.parent_code for f in features if f.parent_code}
    existing = _load_existing(codes)
    errors = _Errors()
    _check_tree(features, existing, errors)
    plan = _Plan(ids={code: row.id for code, row in existing.items() if row.valid_to is None})
    matched = [(f, existing[f.code]) for f in features if f.code in existing]
    plan.create = [f for f in features if f.code not in existing]
    for feature, old in matched:
        _check_existing(feature, old, errors)
    same = _same_boundaries([f.geom for f, _old in matched], [old.geom for _f, old in matched])
    for (feature, old), unchanged in zip(matched, same, strict=True):
        if unchanged:
            plan.unchanged += 1
            if _attributes_differ(feature, old, present):
                plan.touch.append((feature, old))
        elif valid_from <= old.valid_from:
            errors.add(
                feature,
                _(
                    "its boundary changed, so valid-from must be after the current "
                    "version's (%(date)s); got %(new)s."
                )
                % {"date": old.valid_from, "new": valid_from},
            )
        else:
            plan.reversion.append((feature, old))
    errors.raise_if_any()
    return plan
