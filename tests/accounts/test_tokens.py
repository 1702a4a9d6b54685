"""API tokens (issue 12, defect 10): hashed, expiring, new per login, revoked on password change."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken

PASSWORD = "test-pass-123"


@pytest.fixture
def phone_user(network, make_user):
    return make_user("phone", jurisdiction=network["621122100001"])


def get_token(client: Client, password: str = PASSWORD) -> str:
    response = client.post("/api/auth/token/", {"username": "phone", "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(key: str) -> int:
    return Client().get("/api/me/", headers={"Authorization": f"Token {key}"}).status_code


@pytest.mark.django_db
def test_each_login_issues_a_new_token_stored_only_as_a_hash(client, phone_user):
    first, second = get_token(client), get_token(client)

    assert first != second
    assert me(first) == 200
    assert me(second) == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 2
    assert all(first not in h and second not in h for h, _prefix in rows)
    assert {p for _h, p in rows} == {first[:8], second[:8]}


@pytest.mark.django_db
def test_token_expires_after_api_token_days(client, phone_user, settings):
    key = get_token(client)
    token = ApiToken.objects.get()
    lifetime = token.expires - token.created
    assert abs(lifetime - timedelta(days=settings.API_TOKEN_DAYS)) < timedelta(seconds=5)

    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))

    assert me(key) == 401


@pytest.mark.django_db
def test_revoke_endpoint_revokes_the_presented_token_only(client, phone_user):
    keep, drop = get_token(client), get_token(client)

    response = client.post("/api/auth/token/revoke/", headers={"Authorization": f"Token {drop}"})

    assert response.status_code == 204
    assert me(drop) == 401
    assert me(keep) == 200


@pytest.mark.django_db
def test_saving_a_new_password_hash_revokes_tokens(client, phone_user):
    key = get_token(client)

    phone_user.set_password("Another-pass-2026")
    phone_user.save()

    assert me(key) == 401


@pytest.mark.django_db
def test_password_change_in_the_admin_revokes_tokens(client, network, make_user, phone_user):
    key = get_token(client)
    root = make_user("root", jurisdiction=network["621122000000"])
    root.is_staff = root.is_superuser = True
    root.save()
    admin = Client()
    admin.force_login(root)

    response = admin.post(
        f"/admin/accounts/user/{phone_user.pk}/password/",
        {"password1": "Another-pass-2026", "password2": "Another-pass-2026"},
    )

    assert response.status_code == 302
    assert me(key) == 401


@pytest.mark.django_db
def test_manage_py_changepassword_revokes_tokens(client, phone_user, monkeypatch):
    key = get_token(client)
    answers = iter(["Another-pass-2026", "Another-pass-2026"])
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: next(answers))

    call_command("changepassword", "phone", stdout=io.StringIO())

    assert me(key) == 401


@pytest.mark.django_db
def test_token_endpoint_sends_login_signals_with_the_request(client, phone_user):
    seen = []

    def on_in(sender, request, user, **kwargs):
        seen.append(("in", request.path, user.username))

    def on_failed(sender, credentials, request=None, **kwargs):
        seen.append(("failed", request.path, credentials["username"]))

    user_logged_in.connect(on_in)
    user_login_failed.connect(on_failed)
    try:
        client.post("/api/auth/token/", {"username": "phone", "password": "nope-nope"})
        get_token(client)
    finally:
        user_logged_in.disconnect(on_in)
        user_login_failed.disconnect(on_failed)

    assert seen == [
        ("failed", "/api/auth/token/", "phone"),
        ("in", "/api/auth/token/", "phone"),
    ]


@pytest.mark.django_db
def test_authtoken_table_is_gone():
    assert "authtoken_token" not in connection.introspection.table_names()
