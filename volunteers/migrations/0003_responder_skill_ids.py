"""Responder.skill_ids: a copy of the skills kept by the database, for the candidate query.

A BEFORE UPDATE OF skill_ids trigger on the responder computes the value from
volunteers_responder_skills, whatever the writer sent (a stale model saved whole cannot put old
skills back); statement-level triggers on the skills table touch the responders whose skills
changed, once per statement (bulk inserts and cascades included).
"""

import django.contrib.postgres.fields
from django.db import migrations, models

SYNC_SQL = """
-- Rows inserted by SQL (imports, the dispatch bench) start empty; the triggers fill it.
ALTER TABLE volunteers_responder ALTER COLUMN skill_ids SET DEFAULT '{}';
CREATE FUNCTION volunteers_responder_skill_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.skill_ids := coalesce(
    (SELECT array_agg(s.category_id ORDER BY s.category_id)
       FROM volunteers_responder_skills s WHERE s.responder_id = NEW.id), '{}');
  RETURN NEW;
END $$;
CREATE TRIGGER responder_skill_ids BEFORE UPDATE OF skill_ids ON volunteers_responder
  FOR EACH ROW EXECUTE FUNCTION volunteers_responder_skill_ids();

CREATE FUNCTION volunteers_skills_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE volunteers_responder r SET skill_ids = '{}'
   WHERE r.id IN (SELECT DISTINCT responder_id FROM changed);
  RETURN NULL;
END $$;
CREATE TRIGGER skills_inserted AFTER INSERT ON volunteers_responder_skills
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION volunteers_skills_changed();
CREATE TRIGGER skills_deleted AFTER DELETE ON volunteers_responder_skills
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION volunteers_skills_changed();
CREATE TRIGGER skills_updated AFTER UPDATE ON volunteers_responder_skills
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION volunteers_skills_changed();

UPDATE volunteers_responder SET skill_ids = '{}';
"""
SYNC_REVERSE_SQL = """
DROP TRIGGER skills_updated ON volunteers_responder_skills;
DROP TRIGGER skills_deleted ON volunteers_responder_skills;
DROP TRIGGER skills_inserted ON volunteers_responder_skills;
DROP FUNCTION volunteers_skills_changed();
DROP TRIGGER responder_skill_ids ON volunteers_responder;
DROP FUNCTION volunteers_responder_skill_ids();
ALTER TABLE volunteers_responder ALTER COLUMN skill_ids DROP DEFAULT;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_assignment_steps_and_position_accuracy"),
    ]

    operations = [
        migrations.AddField(
            model_name="responder",
            name="skill_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.IntegerField(),
                default=list,
                editable=False,
                help_text="Ids of the skills' categories, kept by the database from the skills.",
                size=None,
            ),
        ),
        migrations.RunSQL(SYNC_SQL, SYNC_REVERSE_SQL),
    ]
