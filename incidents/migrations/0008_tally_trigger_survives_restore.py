"""Make the handled-matter tally's trigger and functions survive pg_dump / pg_restore.

pg_restore runs with an empty search_path. The update trigger of 0005 compared the old and new
location with ``IS DISTINCT FROM``, and PostgreSQL prints that comparison without its operator's
schema: replayed by pg_restore, ``geometry IS DISTINCT FROM geometry`` finds no ``=`` for
geometry in pg_catalog ("operator is not unique: public.geometry = public.geometry"), the
CREATE TRIGGER fails and the restored database silently keeps no tally trigger, so the map's
counts drift (docs/operations/backup.md). The trigger now compares the locations' EWKB bytes
through the schema-qualified ``public.st_asewkb`` (exact same point and SRID, as geometry's ``=``),
which PostgreSQL prints with its schema. The tally functions run with a fixed search_path and the
Mercator helpers name their functions' schemas, so neither depends on the caller's search_path
(the helpers stay plain SQL functions, which the planner inlines into the tile queries).
"""

from django.db import migrations

HANDLED = "('resolved', 'unresolved', 'followed_up', 'closed')"
FIXED_PATH = "SET search_path = pg_catalog, public"
PLPGSQL_FUNCTIONS = (
    "public.incidents_tally_add(bigint, bigint, text, text, bigint, float8, float8)",
    "public.incidents_tally_rows()",
    "public.incidents_tally_change()",
)


def update_trigger(location_old: str, location_new: str) -> str:
    """The CREATE TRIGGER of the tally's update trigger, comparing locations as given."""
    return f"""
CREATE TRIGGER incident_tally_update
  AFTER UPDATE OF state, grid_id, handling_unit_id, kind, location ON public.incidents_incident
  FOR EACH ROW
  WHEN ((OLD.state IN {HANDLED} OR NEW.state IN {HANDLED})
        AND (OLD.state, OLD.grid_id, OLD.handling_unit_id, OLD.kind, {location_old})
            IS DISTINCT FROM (NEW.state, NEW.grid_id, NEW.handling_unit_id, NEW.kind, {location_new}))
  EXECUTE FUNCTION public.incidents_tally_change();
"""


def mercator(qualified: bool) -> str:
    """The two Mercator helpers of 0005, with schema-qualified calls or as they were."""
    pg = "pg_catalog." if qualified else ""
    st = "public." if qualified else ""
    return f"""
CREATE OR REPLACE FUNCTION public.incidents_mercator_x(p public.geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 6378137.0 * {pg}radians({st}ST_X(p)) $$;
CREATE OR REPLACE FUNCTION public.incidents_mercator_y(p public.geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT 6378137.0 * {pg}ln({pg}tan({pg}pi() / 4 + {pg}radians({st}ST_Y(p)) / 2)) $$;
"""


FORWARD = (
    "DROP TRIGGER incident_tally_update ON public.incidents_incident;"
    + update_trigger("public.ST_AsEWKB(OLD.location)", "public.ST_AsEWKB(NEW.location)")
    + mercator(qualified=True)
    + "".join(f"ALTER FUNCTION {f} {FIXED_PATH};\n" for f in PLPGSQL_FUNCTIONS)
)

REVERSE = (
    "DROP TRIGGER incident_tally_update ON public.incidents_incident;"
    + update_trigger("OLD.location", "NEW.location")
    + mercator(qualified=False)
    + "".join(f"ALTER FUNCTION {f} RESET search_path;\n" for f in PLPGSQL_FUNCTIONS)
)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0007_encrypt_party_personal_data")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
