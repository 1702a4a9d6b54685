"""A patrol's track and figures, computed in PostGIS from its stored points.

The track is the points in recorded order (a batch sent late by a phone that was offline falls
into place); fixes worse than MAX_ACCURACY_M are kept but not drawn into it, since one fix 300 m
off in a gully would add a zigzag of 600 m. Distance is measured on the ellipsoid (geography);
the covered share is area(buffer(track, 50 m) ∩ grid) / area(grid) in the metric projection
METRIC_SRID, never in degrees.
"""

from __future__ import annotations

from django.db import connection

# CGCS2000 Gauss-Krüger 3° zone, central meridian 105°E: Longxi's metric projection (the same as
# analytics.queries.METRIC_SRID, which patrols cannot import: analytics sits above it).
METRIC_SRID = 4544
COVER_RADIUS_M = 50.0
# Segments per quarter circle of the buffer's round caps: 16 gives 99.9 % of a true circle's area.
# (quad_segs=16 in the SQL below.)
MAX_ACCURACY_M = 100.0


_REFRESH = """
WITH t AS (
  SELECT CASE WHEN count(*) >= 2 THEN ST_MakeLine(point ORDER BY at, id) END AS line
  FROM patrols_trackpoint
  WHERE patrol_id = %(id)s AND (accuracy_m IS NULL OR accuracy_m <= %(max_accuracy)s)
), g AS (
  SELECT ST_Transform(a.boundary, %(srid)s) AS m
  FROM gridmap_area a JOIN patrols_patrol p ON p.grid_id = a.id WHERE p.id = %(id)s
)
UPDATE patrols_patrol p SET
  track = t.line,
  point_count = (SELECT count(*) FROM patrols_trackpoint WHERE patrol_id = %(id)s),
  distance_m = COALESCE(ST_Length(t.line::geography), 0),
  covered_share = CASE WHEN t.line IS NULL THEN NULL ELSE
    ST_Area(ST_Intersection(
      ST_Buffer(ST_Transform(t.line, %(srid)s), %(radius)s, 'quad_segs=16'), g.m))
    / NULLIF(ST_Area(g.m), 0) END
FROM t, g
WHERE p.id = %(id)s
"""


def refresh_figures(patrol_id: int) -> None:
    """Rebuild the patrol's track, point count, distance and covered share from its points.

    Called inside the transaction that stored a batch (the patrol row is locked there).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _REFRESH,
            {
                "id": patrol_id,
                "srid": METRIC_SRID,
                "radius": COVER_RADIUS_M,
                "max_accuracy": MAX_ACCURACY_M,
            },
        )
