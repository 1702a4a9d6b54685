"""The dispatch hot path's statements (the offer's audience, the outbox's INSERT) are prepared on
the server once per connection, in the caller's transaction, and stay visible to Django's
execute wrappers and query log; a database error is Django's."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from notify.choices import Event
from notify.models import Notification
from notify.prepared import execute_prepared
from volunteers.services import assign

pytestmark = pytest.mark.django_db


def prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return cursor.fetchone()[0]


def test_an_assignment_writes_its_offer_through_prepared_statements(
    routed, place_responder, people
):
    unit = place_responder("near", 104.607, 35.005, members=[people["responder"]])
    seen: list[str] = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as logged, connection.execute_wrapper(watch):
        assign(incident_id=routed.pk, actor=people["village"], responder_id=unit.pk)

    assert Notification.objects.filter(event=Event.OFFER, recipient=people["responder"]).exists()
    assert prepared("INSERT INTO notify_notification") >= 1
    assert prepared("FROM volunteers_responder_members") == 1
    inserts = [sql for sql in seen if sql.startswith("INSERT INTO notify_notification")]
    assert inserts  # the wrappers saw it …
    # … and the query log
    assert any(q["sql"].startswith("INSERT INTO notify_notification") for q in logged)


def test_a_prepared_statement_runs_in_the_callers_transaction_and_raises_djangos_errors(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        execute_prepared(
            "UPDATE accounts_user SET username = %s WHERE id = %s",
            [people["county"].username, people["village"].pk],
        )
    with transaction.atomic():
        execute_prepared(
            "UPDATE accounts_user SET first_name = %s WHERE id = %s", ["改名", people["county"].pk]
        )
        transaction.set_rollback(True)
    people["county"].refresh_from_db()
    assert people["county"].first_name != "改名"  # rolled back with the caller's transaction
