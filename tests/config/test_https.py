"""HTTPS=true: one switch for TLS hardening, each part overridable; check --deploy passes."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
HTTPS_SETTINGS = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
]
# What an operator sets in production (docs/security/deployment.md).
PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "grid.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://grid.example.gov.cn",
}


def environment(**values: str) -> dict[str, str]:
    """This process's environment without any security setting, plus ``values``."""
    names = {
        "DEBUG",
        "HTTPS",
        "PINGAN_ENV",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        *HTTPS_SETTINGS,
    }
    # Set by the browser tests for their own process; a deployment never has it (async.E001).
    names.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in names}
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    # HTTPS=true is production, which reads no key file: the keys come from the environment.
    env["FIELD_ENCRYPTION_KEYS"] = ",".join(settings.FIELD_ENCRYPTION_KEYS)
    env["FIELD_HASH_KEY"] = settings.FIELD_HASH_KEY
    env.update(values)
    return env


def https_settings(**values: str) -> dict:
    """The HTTPS settings that config/settings.py derives from the environment ``values``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {HTTPS_SETTINGS!r}}}))"
    )
    env = environment(**values)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    proxy = loaded["SECURE_PROXY_SSL_HEADER"]
    loaded["SECURE_PROXY_SSL_HEADER"] = tuple(proxy) if proxy else None
    return loaded


def check_deploy(**values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment(**values),
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_the_production_environment():
    result = check_deploy(**PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_without_https_warns_about_each_missing_part():
    result = check_deploy(**{**PRODUCTION, "HTTPS": "false"})

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_https_switch_turns_on_every_part_and_preload_stays_off():
    loaded = https_settings(HTTPS="true")

    assert loaded == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    }


def test_without_the_switch_nothing_assumes_tls():
    loaded = https_settings()

    assert not any(loaded.values())


def test_each_part_can_be_overridden_on_its_own():
    loaded = https_settings(
        HTTPS="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="true",
        SESSION_COOKIE_SECURE="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Scheme: https",
    )

    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 600
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_SCHEME", "https")


def test_a_malformed_proxy_header_names_the_variable():
    env = environment(HTTPS="true", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER must look like" in result.stderr


@pytest.fixture(scope="module")
def production_https():
    """The settings HTTPS=true produces, applied to this process."""
    return https_settings(HTTPS="true")


@pytest.fixture
def behind_proxy(production_https):
    with override_settings(**production_https):
        yield Client(headers={"x-forwarded-proto": "https", "accept-language": "en"})


@pytest.mark.django_db
def test_behind_the_tls_proxy_pages_carry_hsts_and_cookies_are_secure(behind_proxy, make_user):
    make_user("tls-user")

    page = behind_proxy.get("/accounts/login/")
    login = behind_proxy.post(
        "/accounts/login/", {"username": "tls-user", "password": "test-pass-123"}
    )

    assert page.status_code == 200
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.cookies["csrftoken"]["secure"] is True
    assert login.status_code == 302
    assert login.cookies["sessionid"]["secure"] is True
    assert login["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_but_the_health_probes_answer(production_https):
    with override_settings(**production_https, ALLOWED_HOSTS=["grid.example.gov.cn"]):
        plain = Client(headers={"host": "grid.example.gov.cn"})
        redirect = plain.get("/accounts/login/?next=/map/")
        probe = plain.get("/healthz")
        ready = plain.get("/readyz")

    assert redirect.status_code == 301
    assert redirect["Location"] == "https://grid.example.gov.cn/accounts/login/?next=/map/"
    assert "Strict-Transport-Security" not in redirect  # HSTS only over TLS
    assert probe.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "workers": 0}
