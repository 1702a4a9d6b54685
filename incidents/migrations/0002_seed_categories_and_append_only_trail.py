from django.db import migrations

from incidents.seed import CATEGORIES


def seed_categories(apps, schema_editor):
    Category = apps.get_model("incidents", "Category")
    for position, (code, kind, name, name_en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "name": name, "name_en": name_en, "position": position},
        )


# The trail is append-only at the database, not only in the ORM: an UPDATE or DELETE of an event
# raises, whoever issues it. (TRUNCATE, used by test teardown and a forced demo reload, is a
# table-level operation that row triggers do not see.)
APPEND_ONLY_SQL = """
CREATE FUNCTION incidents_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER incidents_event_append_only
    BEFORE UPDATE OR DELETE ON incidents_incidentevent
    FOR EACH ROW EXECUTE FUNCTION incidents_event_append_only();
"""
APPEND_ONLY_REVERSE_SQL = """
DROP TRIGGER IF EXISTS incidents_event_append_only ON incidents_incidentevent;
DROP FUNCTION IF EXISTS incidents_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial_incidents")]

    operations = [
        migrations.RunPython(seed_categories, migrations.RunPython.noop),
        migrations.RunSQL(APPEND_ONLY_SQL, APPEND_ONLY_REVERSE_SQL),
    ]
