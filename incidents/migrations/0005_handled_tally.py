"""Handled matters tallied per grid cell, handling unit, kind and state, kept by triggers.

The map's aggregated tiles read the tally instead of every handled matter (see
incidents.tiles). Inserts and deletes are tallied once per statement from the transition
tables (a bulk import of a million matters costs one grouped pass); an update is tallied per
row, and only when a counted column changes for a matter that is or was handled. The states
listed here are incidents.choices.HANDLED_STATES as of this migration; a test checks the two
agree. Positions are summed in Web-Mercator metres, the tiles' own plane. TRUNCATE fires no
row triggers: truncate the tally with the matters (Django's flush truncates every table).
"""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models

HANDLED = "('resolved', 'unresolved', 'followed_up', 'closed')"

TALLY_SQL = f"""
-- Web Mercator (EPSG:3857) by arithmetic, inlined by the planner: the tiles use these too.
CREATE FUNCTION incidents_mercator_x(p geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 6378137.0 * radians(ST_X(p)) $$;
CREATE FUNCTION incidents_mercator_y(p geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT 6378137.0 * ln(tan(pi() / 4 + radians(ST_Y(p)) / 2)) $$;

CREATE FUNCTION incidents_tally_add(
  p_grid bigint, p_unit bigint, p_kind text, p_state text, p_count bigint, p_x float8, p_y float8
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tally_id bigint;
  remaining bigint;
BEGIN
  -- Update first: the check constraint (count >= 0) applies to a proposed row even when it
  -- would conflict, so a subtraction cannot go through INSERT … ON CONFLICT.
  UPDATE incidents_handledtally SET
    count = count + p_count,
    sum_x = sum_x + p_x,
    sum_y = sum_y + p_y,
    centre = ST_SetSRID(ST_MakePoint((sum_x + p_x) / nullif(count + p_count, 0),
                                     (sum_y + p_y) / nullif(count + p_count, 0)), 3857)
  WHERE grid_id = p_grid AND handling_unit_id IS NOT DISTINCT FROM p_unit
    AND kind = p_kind AND state = p_state
  RETURNING id, count INTO tally_id, remaining;
  IF NOT FOUND THEN
    -- A new key (a subtraction here breaks the check constraint: the writer's statement fails
    -- rather than the tally drifting); ON CONFLICT covers a concurrent writer's new row.
    INSERT INTO incidents_handledtally AS t
      (grid_id, handling_unit_id, kind, state, count, sum_x, sum_y, centre)
    VALUES (p_grid, p_unit, p_kind, p_state, p_count, p_x, p_y,
            ST_SetSRID(ST_MakePoint(p_x / p_count, p_y / p_count), 3857))
    ON CONFLICT (grid_id, handling_unit_id, kind, state) DO UPDATE SET
      count = t.count + excluded.count,
      sum_x = t.sum_x + excluded.sum_x,
      sum_y = t.sum_y + excluded.sum_y,
      centre = ST_SetSRID(ST_MakePoint((t.sum_x + excluded.sum_x) / (t.count + excluded.count),
                                       (t.sum_y + excluded.sum_y) / (t.count + excluded.count)),
                          3857);
  ELSIF remaining = 0 THEN
    DELETE FROM incidents_handledtally WHERE id = tally_id;
  END IF;
END $$;

-- One grouped pass over the statement's rows; keys in order, so that concurrent writers lock
-- tally rows in the same order.
CREATE FUNCTION incidents_tally_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Intake inserts open matters one at a time: a cached plan answers "nothing to tally" before
  -- the dynamic statement below would be planned.
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT FROM added WHERE state IN {HANDLED}) THEN RETURN NULL; END IF;
  ELSIF NOT EXISTS (SELECT FROM removed WHERE state IN {HANDLED}) THEN
    RETURN NULL;
  END IF;
  EXECUTE format($q$
    SELECT count(incidents_tally_add(grid_id, handling_unit_id, kind, state,
                                     %1$s * n, %1$s * x, %1$s * y))
    FROM (SELECT grid_id, handling_unit_id, kind, state, count(*) AS n,
                 sum(incidents_mercator_x(location)) AS x,
                 sum(incidents_mercator_y(location)) AS y
          FROM %2$I WHERE state IN {HANDLED}
          GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4) AS delta
  $q$, CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END,
       CASE TG_OP WHEN 'INSERT' THEN 'added' ELSE 'removed' END);
  RETURN NULL;
END $$;
CREATE TRIGGER incident_tally_insert AFTER INSERT ON incidents_incident
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_rows();
CREATE TRIGGER incident_tally_delete AFTER DELETE ON incidents_incident
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION incidents_tally_rows();

CREATE FUNCTION incidents_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state IN {HANDLED} THEN
    PERFORM incidents_tally_add(OLD.grid_id, OLD.handling_unit_id, OLD.kind, OLD.state, -1,
      -incidents_mercator_x(OLD.location), -incidents_mercator_y(OLD.location));
  END IF;
  IF NEW.state IN {HANDLED} THEN
    PERFORM incidents_tally_add(NEW.grid_id, NEW.handling_unit_id, NEW.kind, NEW.state, 1,
      incidents_mercator_x(NEW.location), incidents_mercator_y(NEW.location));
  END IF;
  RETURN NULL;
END $$;
-- The WHEN clause is evaluated without calling the function: workflow steps of open matters
-- and saves that change nothing counted cost nothing here.
CREATE TRIGGER incident_tally_update
  AFTER UPDATE OF state, grid_id, handling_unit_id, kind, location ON incidents_incident
  FOR EACH ROW
  WHEN ((OLD.state IN {HANDLED} OR NEW.state IN {HANDLED})
        AND (OLD.state, OLD.grid_id, OLD.handling_unit_id, OLD.kind, OLD.location)
            IS DISTINCT FROM (NEW.state, NEW.grid_id, NEW.handling_unit_id, NEW.kind, NEW.location))
  EXECUTE FUNCTION incidents_tally_change();

INSERT INTO incidents_handledtally
  (grid_id, handling_unit_id, kind, state, count, sum_x, sum_y, centre)
SELECT grid_id, handling_unit_id, kind, state, count(*), sum(x), sum(y),
       ST_SetSRID(ST_MakePoint(avg(x), avg(y)), 3857)
FROM (SELECT grid_id, handling_unit_id, kind, state, incidents_mercator_x(location) AS x,
             incidents_mercator_y(location) AS y
      FROM incidents_incident WHERE state IN {HANDLED}) AS handled
GROUP BY 1, 2, 3, 4;
"""

TALLY_REVERSE_SQL = """
DROP TRIGGER incident_tally_update ON incidents_incident;
DROP FUNCTION incidents_tally_change();
DROP TRIGGER incident_tally_delete ON incidents_incident;
DROP TRIGGER incident_tally_insert ON incidents_incident;
DROP FUNCTION incidents_tally_rows();
DROP FUNCTION incidents_tally_add(bigint, bigint, text, text, bigint, float8, float8);
DROP FUNCTION incidents_mercator_y(geometry);
DROP FUNCTION incidents_mercator_x(geometry);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("gridmap", "0002_add_current_grid_boundary_index"),
        ("incidents", "0004_incident_updated_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="HandledTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("dispute", "Dispute"),
                            ("hazard", "Hazard"),
                            ("petition", "Petition"),
                            ("request", "Request"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("assessed", "Assessed"),
                            ("routed", "Routed"),
                            ("in_progress", "In progress"),
                            ("resolved", "Resolved"),
                            ("unresolved", "Unresolved"),
                            ("followed_up", "Followed up"),
                            ("closed", "Closed"),
                        ],
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                ("count", models.PositiveIntegerField(verbose_name="matters")),
                ("sum_x", models.FloatField(verbose_name="sum of x (m)")),
                ("sum_y", models.FloatField(verbose_name="sum of y (m)")),
                (
                    "centre",
                    django.contrib.gis.db.models.fields.PointField(
                        null=True, srid=3857, verbose_name="mean position"
                    ),
                ),
                (
                    "grid",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="gridmap.area",
                        verbose_name="grid",
                    ),
                ),
                (
                    "handling_unit",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="incidents.handlingunit",
                        verbose_name="handling unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "handled-matter tally",
                "verbose_name_plural": "handled-matter tallies",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("grid", "handling_unit", "kind", "state"),
                        name="handled_tally_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunSQL(TALLY_SQL, TALLY_REVERSE_SQL),
    ]
