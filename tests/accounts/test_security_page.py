"""Self-service account security, password policy and the session idle timeout (issue 12)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.middleware import LAST_SEEN
from accounts.models import UserSession
from tests.factories import api_key

PASSWORD = "test-pass-123"
NEW_PASSWORD = "Grid-Leader-2026"


@pytest.fixture
def user(network, make_user):
    return make_user("leader", jurisdiction=network["621122100001"])


def browser(address: str = "127.0.0.1") -> Client:
    """A browser that logs in through the login page."""
    client = Client(headers={"accept-language": "en"}, REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("weak", ["short-1A", "alllowercaseletters", "lowercase1234567"])
def test_password_policy_refuses_weak_passwords(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_password_policy_accepts_ten_characters_of_three_kinds():
    validate_password("Grid-leader")  # upper, lower, symbol; 11 characters


@pytest.mark.django_db
def test_security_page_lists_tokens_and_sessions(user):
    key = api_key(user)
    client = browser()

    response = client.get("/accounts/security/")

    assert response.status_code == 200
    assert key[:8].encode() in response.content
    assert key.encode() not in response.content  # the key is never shown again
    assert b"127.0.0.1" in response.content
    assert b'href="/accounts/security/"' in response.content  # linked from the header


@pytest.mark.django_db
def test_changing_password_keeps_this_session_and_ends_the_rest(user):
    key = api_key(user)
    here, elsewhere = browser("10.0.0.1"), browser("10.0.0.2")

    response = here.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.get("/accounts/security/").status_code == 200
    assert elsewhere.get("/accounts/security/").status_code == 302  # to the login page
    auth = {"Authorization": f"Token {key}"}
    assert Client().get("/api/me/", headers=auth).status_code == 401
    assert UserSession.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_on_the_page(user):
    client = browser()

    response = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": "abcdefghij", "new_password2": "abcdefghij"},
    )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_revoke_a_token_from_the_page(user):
    key = api_key(user)
    client = browser()
    token_id = user.api_tokens.get().pk

    client.post(f"/accounts/security/tokens/{token_id}/revoke/")

    assert Client().get("/api/me/", headers={"Authorization": f"Token {key}"}).status_code == 401


@pytest.mark.django_db
def test_sign_out_everywhere_else(user):
    here, elsewhere = browser("10.0.0.1"), browser("10.0.0.2")

    here.post("/accounts/security/sessions/end-others/")

    assert here.get("/accounts/security/").status_code == 200
    assert elsewhere.get("/accounts/security/").status_code == 302
    assert Session.objects.count() == 1


def test_sessions_last_eight_hours_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


@pytest.mark.django_db
def test_an_idle_session_is_signed_out_with_a_message(user, settings):
    client = browser()
    assert client.get("/accounts/security/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()

    response = client.get("/accounts/security/", follow=True)

    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert b"without activity" in response.content
    assert client.get("/accounts/security/").status_code == 302  # still signed out


@pytest.mark.django_db
def test_an_active_session_stays(user):
    client = browser()
    session = client.session
    session[LAST_SEEN] = time.time() - 60 * 10
    session.save()

    assert client.get("/accounts/security/").status_code == 200
