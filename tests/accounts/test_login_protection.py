"""Brute-force protection (issue 12, defect 1): every login path locks a username + address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiToken

PASSWORD = "test-pass-123"


@pytest.fixture
def staff(network, make_user):
    user = make_user("clerk", Role.DISPATCHER, network["621122000000"])
    user.is_staff = True
    user.save()
    return user


def page_login(client: Client, path: str, password: str):
    return client.post(path, {"username": "clerk", "password": password, "next": "/"})


def api_login(client: Client, path: str, password: str):
    return client.post(path, {"username": "clerk", "password": password})


PATHS = [
    ("/accounts/login/", page_login),
    ("/admin/login/", page_login),
    ("/api/auth/token/", api_login),
]


def logged_in(client: Client, path: str, response) -> bool:
    """Did this answer sign the user in (a session) or hand out a token?"""
    if path.startswith("/api/"):
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "attempt"), PATHS)
def test_ten_wrong_passwords_lock_the_right_one_out(client, staff, path, attempt):
    for _ in range(10):
        assert attempt(client, path, "wrong-password").status_code in {200, 400, 401, 429}

    response = attempt(client, path, PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client, path, response)
    record = AccessAttempt.objects.get(username="clerk")
    assert record.failures_since_start >= 10
    assert record.ip_address == "127.0.0.1"
    if path.startswith("/api/"):
        assert "Too many failed logins" in response.json()["detail"]
        assert not ApiToken.objects.filter(user=staff).exists()
    else:
        assert b"Too many failed logins" in response.content
        assert b'class="site-header"' in response.content  # the site's own frame


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "attempt"), PATHS)
def test_after_the_cool_off_the_right_password_works(client, staff, path, attempt):
    for _ in range(10):
        attempt(client, path, "wrong-password")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))

    response = attempt(client, path, PASSWORD)

    assert logged_in(client, path, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "attempt"), PATHS)
def test_fewer_than_five_failures_do_not_lock(client, staff, path, attempt):
    for _ in range(4):
        attempt(client, path, "wrong-password")

    assert logged_in(client, path, attempt(client, path, PASSWORD))


@pytest.mark.django_db
def test_a_lock_is_per_address(staff):
    for _ in range(6):
        Client(REMOTE_ADDR="10.0.0.1").post(
            "/api/auth/token/", {"username": "clerk", "password": "wrong-password"}
        )

    elsewhere = Client(REMOTE_ADDR="10.0.0.2").post(
        "/api/auth/token/", {"username": "clerk", "password": PASSWORD}
    )

    assert elsewhere.status_code == 200


@pytest.mark.django_db
def test_lockout_page_is_chinese_by_default(zh_client, staff):
    for _ in range(6):
        page_login(zh_client, "/accounts/login/", "wrong-password")

    response = page_login(zh_client, "/accounts/login/", PASSWORD)

    assert response.status_code == 429
    assert "登录失败次数过多".encode() in response.content
    assert b'href="/"' in response.content  # a way back


@pytest.mark.django_db
def test_an_administrator_sees_and_unlocks_a_locked_user(client, staff, network, make_user):
    for _ in range(6):
        api_login(client, "/api/auth/token/", "wrong-password")
    root = make_user("root", Role.COUNTY_ADMIN, network["621122000000"])
    root.is_staff = root.is_superuser = True
    root.save()
    admin = Client(headers={"accept-language": "en"})
    admin.force_login(root)
    attempt = AccessAttempt.objects.get(username="clerk")

    listing = admin.get("/admin/axes/accessattempt/")
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert b"clerk" in listing.content
    assert api_login(client, "/api/auth/token/", PASSWORD).status_code == 200
