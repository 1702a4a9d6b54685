"""Vector tiles of responders for the operations map: status colours, stale positions marked.

Raw SQL for the same reason as ``incidents.tiles``: ``ST_AsMVT`` has no ORM expression. The units
a user may see are built with the ORM (their home area nests with the user's jurisdiction: it lies
inside it, or it covers it and so serves it) and wrapped. A county has a few hundred units, so
every zoom gets one feature per unit. No phone numbers, no member names: id, name, kind, status
(and its label in the request's language), load, capacity, stale and the position's age in
minutes.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

from incidents.tiles import BUFFER, EXTENT, buffer_margin_m
from volunteers.access import visible_responders
from volunteers.choices import ResponderStatus
from volunteers.models import stale_before

LAYER = "responders"

_SQL = """
WITH box AS (
  SELECT ST_TileEnvelope(%s, %s, %s) AS m
),
units AS (
  SELECT s.id AS fid, s.id, s.name, s.kind, s.status, %s::jsonb ->> s.status AS status_label,
         s.load, s.capacity,
         s.position_at < %s AS stale,
         floor(extract(epoch FROM (now() - s.position_at)) / 60)::int AS age_min,
         ST_AsMVTGeom(ST_Transform(s.position, 3857), box.m, %s, %s, true) AS geom
  FROM ({source}) AS s(id, name, kind, status, load, capacity, position_at, position), box
  WHERE s.position && ST_Transform(ST_Expand(box.m, %s), 4326)
)
SELECT ST_AsMVT(units, %s, %s, 'geom', 'fid') FROM units WHERE geom IS NOT NULL
"""


def responder_tile(user: object, z: int, x: int, y: int, now: dt.datetime | None = None) -> bytes:
    """The MVT of tile z/x/y with the units ``user`` may see."""
    now = now or timezone.now()
    # No ORDER BY: the model's ordering would join the home area and keep the index from driving.
    rows = (
        visible_responders(user)
        .order_by()
        .values_list("id", "name", "kind", "status", "load", "capacity", "position_at", "position")
    )
    try:
        source, source_params = rows.query.sql_with_params()
    except EmptyResultSet:  # a user who may see no unit: Django compiles no SQL
        return b""
    margin = buffer_margin_m(z)
    labels = json.dumps({value: str(label) for value, label in ResponderStatus.choices})
    params = [
        z,
        x,
        y,
        labels,
        stale_before(now),
        EXTENT,
        BUFFER,
        *source_params,
        margin,
        LAYER,
        EXTENT,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(source=source), params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
