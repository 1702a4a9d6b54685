"""The access log: logins, role and jurisdiction changes, the reading page, append-only, pruning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record_access
from accounts.choices import AccessAction, Role
from accounts.models import AccessLog
from accounts.services import set_jurisdiction

COUNTY, TOWNSHIP_A, GRID_A1 = "621122000000", "621122100000", "621122100001001"


def _rows(action):
    return list(AccessLog.objects.filter(action=action).order_by("pk"))


def _old_row(days: int) -> int:
    """A row written ``days`` ago (inserted directly: the ORM stamps now, and UPDATE is refused)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_accesslog (at, username, role, action, target_type, target_id,"
            " target_label, filters, reason, user_agent) VALUES"
            " (%s, 'old', '', 'login', '', '', '', '{}', '', '') RETURNING id",
            [timezone.now() - dt.timedelta(days=days)],
        )
        return cursor.fetchone()[0]


def test_login_logout_and_failure_are_recorded(client, network, make_user):
    make_user("zhang", Role.DISPATCHER, network[COUNTY])
    client.post(
        reverse("login"), {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
    )
    client.post(reverse("login"), {"username": "zhang", "password": "test-pass-123"})
    client.post(reverse("logout"))
    [failed] = _rows(AccessAction.LOGIN_FAILED)
    assert (failed.username, failed.user, failed.ip_address) == ("zhang", None, "10.0.0.7")
    [login] = _rows(AccessAction.LOGIN)
    [logout] = _rows(AccessAction.LOGOUT)
    assert login.username == logout.username == "zhang"
    assert login.role == Role.DISPATCHER


def test_set_jurisdiction_records_old_and_new_role_and_area(network, make_user):
    make_user("li", Role.DISPATCHER, network[COUNTY])
    set_jurisdiction(username="li", area_code=GRID_A1, role=Role.GRID_LEADER)
    [role] = _rows(AccessAction.ROLE_CHANGE)
    assert (role.target_label, role.filters) == ("li", {"old": "dispatcher", "new": "grid_leader"})
    assert role.username == "manage.py"
    [area] = _rows(AccessAction.JURISDICTION_CHANGE)
    assert area.filters["old"].startswith(COUNTY)
    assert area.filters["new"].startswith(GRID_A1)


def test_admin_role_change_is_recorded(client, django_user_model, network, make_user):
    target = make_user("wang", Role.DISPATCHER, network[TOWNSHIP_A])
    root = django_user_model.objects.create_superuser("root", password="test-pass-123")
    root.jurisdiction = network[COUNTY]
    root.save()
    client.force_login(root)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        role=Role.LEADERSHIP,
        jurisdiction=network[TOWNSHIP_A].pk,
        date_joined_0=timezone.localtime(target.date_joined).strftime("%Y-%m-%d"),
        date_joined_1="00:00:00",
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [row] = _rows(AccessAction.ROLE_CHANGE)
    assert (row.username, row.target_label) == ("root", "wang")
    assert row.filters == {"old": "dispatcher", "new": "leadership"}
    assert _rows(AccessAction.JURISDICTION_CHANGE) == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNTY_ADMIN, 200),
        (Role.DISPATCHER, 403),
        (Role.LEADERSHIP, 403),
        (Role.GRID_LEADER, 403),
    ],
)
def test_only_a_county_admin_reads_the_log(client, network, make_user, role, status):
    area = network[GRID_A1] if role == Role.GRID_LEADER else network[COUNTY]
    client.force_login(make_user("u", role, area))
    assert client.get(reverse("access-log")).status_code == status
    assert client.get(reverse("access-log-csv")).status_code == status


def test_log_page_filters_by_user_matter_action_and_period(client, network, make_user):
    client.force_login(make_user("chief", Role.COUNTY_ADMIN, network[COUNTY]))
    record_access(action=AccessAction.PARTY_VIEW, username="a", target_label="20261201-0007")
    record_access(action=AccessAction.LEDGER_EXPORT, username="b", target_label="ledger.csv")
    _old_row(200)

    def shown(**query):
        return [r.username for r in client.get(reverse("access-log"), query).context["page"]]

    assert shown(user="a") == ["a"]
    assert shown(target="0007") == ["a"]
    assert shown(action="ledger_export") == ["b"]
    today = timezone.localdate().isoformat()
    assert "old" not in shown(since=today)
    assert shown(until=(timezone.localdate() - dt.timedelta(days=100)).isoformat()) == ["old"]


def test_log_export_is_csv_and_is_itself_recorded(client, network, make_user):
    client.force_login(make_user("chief", Role.COUNTY_ADMIN, network[COUNTY]))
    record_access(action=AccessAction.PARTY_VIEW, username="a", target_label="=HYPERLINK(1)")
    response = client.get(reverse("access-log-csv"), {"action": "party_view"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "'=HYPERLINK(1)" in body
    [row] = _rows(AccessAction.ACCESS_LOG_EXPORT)
    assert (row.username, row.count, row.filters) == ("chief", 1, {"action": "party_view"})


def test_recent_rows_cannot_be_updated_or_deleted(db):
    row = record_access(action=AccessAction.LOGIN, username="x")
    for sql in (
        "UPDATE accounts_accesslog SET username = 'y' WHERE id = %s",
        "DELETE FROM accounts_accesslog WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    old = _old_row(200)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=old).update(username="z")


def test_prune_removes_old_rows_and_keeps_recent_ones(db, capsys):
    recent = record_access(action=AccessAction.LOGIN, username="x").pk
    kept = _old_row(170)
    _old_row(200)
    call_command("prune_access_log")
    assert "Removed 1 " in capsys.readouterr().out
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {recent, kept}


def test_prune_refuses_fewer_than_180_days(db):
    with pytest.raises(CommandError, match="180"):
        call_command("prune_access_log", "--days", "30")
