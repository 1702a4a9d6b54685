"""Announce each new in-site notification with NOTIFY, for the live pages.

An INSERT of a site-channel row runs ``pg_notify('pingan_notify', '<recipient id>:<id>')``.
PostgreSQL delivers a NOTIFY only when its transaction commits, so a notification written in a
transaction that rolls back is never announced (docs/notifications/live.md). Every name is
schema-qualified: pg_restore runs with an empty search_path (REFERENCE.md).
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION public.notify_notification_live() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_catalog.pg_notify(
        'pingan_notify',
        NEW.recipient_id::pg_catalog.text OPERATOR(pg_catalog.||) ':'
            OPERATOR(pg_catalog.||) NEW.id::pg_catalog.text
    );
    RETURN NULL;
END;
$$;

CREATE TRIGGER notify_notification_live
AFTER INSERT ON public.notify_notification
FOR EACH ROW
WHEN (NEW.channel OPERATOR(pg_catalog.=) 'site' AND NEW.recipient_id IS NOT NULL)
EXECUTE FUNCTION public.notify_notification_live();
"""

DROP = """
DROP TRIGGER IF EXISTS notify_notification_live ON public.notify_notification;
DROP FUNCTION IF EXISTS public.notify_notification_live();
"""


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_notifications_and_center_channels")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
