"""Validating the written tree in PostGIS: outside parents, overlaps, uncovered parents."""

from __future__ import annotations

from django.db import connection

from gridmap.choices import (
    LEVEL_ORDER,
    child_level,
)
from gridmap.services.results import LevelReport, Problem, Tolerances, ValidationReport

# Areas in m² on the spheroid (geography): correct anywhere in China without choosing a zone.
# ST_CoveredBy first: most children lie inside their parent and need no overlay at all.
_OUTSIDE_SQL = """
SELECT c.level, c.code, p.code,
       CASE WHEN ST_CoveredBy(c.boundary, p.boundary) THEN 0
            ELSE ST_Area(ST_Difference(c.boundary, p.boundary)::geography) END,
       ST_Area(c.boundary::geography)
FROM gridmap_area p
JOIN gridmap_area c ON c.parent_id = p.id AND c.valid_to IS NULL
WHERE p.id = ANY(%s)
"""
# Siblings touching along an edge intersect too; only a two-dimensional interior intersection
# ('2********') is an overlap.
_OVERLAP_SQL = """
WITH parent AS MATERIALIZED (
    SELECT id, code, ST_Area(boundary::geography) AS m2 FROM gridmap_area WHERE id = ANY(%s)
)
SELECT a.level, a.code, b.code, p.m2,
       ST_Area(ST_Intersection(a.boundary, b.boundary)::geography)
FROM parent p
JOIN gridmap_area a ON a.parent_id = p.id AND a.valid_to IS NULL
JOIN gridmap_area b ON b.parent_id = p.id AND b.valid_to IS NULL AND a.code < b.code
WHERE ST_Intersects(a.boundary, b.boundary) AND ST_Relate(a.boundary, b.boundary, '2********')
"""
_UNCOVERED_SQL = """
SELECT p.level, p.code, ST_Area(p.boundary::geography),
       ST_Area(ST_Difference(p.boundary, u.covered)::geography)
FROM gridmap_area p
CROSS JOIN LATERAL (
    SELECT ST_Union(c.boundary) AS covered FROM gridmap_area c
    WHERE c.parent_id = p.id AND c.valid_to IS NULL
) u
WHERE p.id = ANY(%s) AND u.covered IS NOT NULL
"""


def _share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def _rows(sql: str, parent_ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [parent_ids])
        return cursor.fetchall()


def _validate(parent_ids: set[int], tolerances: Tolerances, repaired: list) -> ValidationReport:
    """Outside / overlap / uncovered shares for the children of ``parent_ids``, in PostGIS."""
    report = ValidationReport(tolerances=tolerances, repaired=repaired)
    levels: dict[str, LevelReport] = {}
    ids = sorted(parent_ids)

    def level_report(level: str) -> LevelReport:
        return levels.setdefault(level, LevelReport(level=level))

    def check(kind: str, level: str, code: str, other: str, share: float, m2: float) -> None:
        limit = getattr(tolerances, f"max_{kind}_pct")
        if share > limit:
            report.problems.append(Problem(kind, level, code, other, share, limit, m2))

    for level, code, parent, outside_m2, child_m2 in _rows(_OUTSIDE_SQL, ids):
        row, share = level_report(level), _share(outside_m2, child_m2)
        row.children += 1
        if share > row.max_outside_pct:
            row.max_outside_pct, row.max_outside_code = share, code
        check("outside", level, code, parent, share, outside_m2)
    for level, code_a, code_b, parent_m2, overlap_m2 in _rows(_OVERLAP_SQL, ids):
        row, share = level_report(level), _share(overlap_m2, parent_m2)
        if share > row.max_overlap_pct:
            row.max_overlap_pct, row.max_overlap_codes = share, f"{code_a} / {code_b}"
        check("overlap", level, code_a, code_b, share, overlap_m2)
    for parent_level, code, parent_m2, uncovered_m2 in _rows(_UNCOVERED_SQL, ids):
        level = child_level(parent_level) or parent_level
        row, share = level_report(level), _share(uncovered_m2, parent_m2)
        row.parents += 1
        if share > row.max_uncovered_pct:
            row.max_uncovered_pct, row.max_uncovered_code = share, code
        check("uncovered", level, code, "", share, uncovered_m2)
    report.levels = [levels[level] for level in LEVEL_ORDER if level in levels]
    return report
