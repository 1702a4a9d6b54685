"""Wake the delivery worker when an external notification is written or put back in the queue.

An INSERT of a row for a group chat or SMS, and an UPDATE that makes such a row pending again (a
retry from the delivery log), run ``pg_notify('pingan_deliver', '')``. PostgreSQL sends it at
commit (never for a rolled-back transaction) and folds repeats within a transaction into one, so
an event costs its writer no statement of its own; the worker's listener (notify.follow) wakes
and delivers. Every name is schema-qualified: pg_restore runs with an empty search_path.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION public.notify_notification_deliver() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('pingan_deliver', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER notify_notification_deliver_insert
AFTER INSERT ON public.notify_notification
FOR EACH ROW
WHEN (NEW.channel OPERATOR(pg_catalog.<>) 'site')
EXECUTE FUNCTION public.notify_notification_deliver();

CREATE TRIGGER notify_notification_deliver_retry
AFTER UPDATE OF status ON public.notify_notification
FOR EACH ROW
WHEN (NEW.channel OPERATOR(pg_catalog.<>) 'site'
      AND NEW.status OPERATOR(pg_catalog.=) 'pending'
      AND OLD.status OPERATOR(pg_catalog.<>) 'pending')
EXECUTE FUNCTION public.notify_notification_deliver();
"""

DROP = """
DROP TRIGGER IF EXISTS notify_notification_deliver_retry ON public.notify_notification;
DROP TRIGGER IF EXISTS notify_notification_deliver_insert ON public.notify_notification;
DROP FUNCTION IF EXISTS public.notify_notification_deliver();
"""


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_encrypt_center_channel_credentials")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
