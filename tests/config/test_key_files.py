"""Outside production the keys `make` keeps in var/ are read when the environment lacks them, so
manage.py runs without exporting anything; production refuses, in one line naming the variable."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.environment import env_or_file

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "SECRET_KEY": "secret_key",
    "FIELD_ENCRYPTION_KEYS": "field_encryption_keys",
    "FIELD_HASH_KEY": "field_hash_key",
}


@pytest.fixture(scope="module")
def key_files() -> dict[str, str]:
    """The checkout's key files (made on first use by scripts/secret-key.sh, as `make` does)."""
    return {
        name: subprocess.run(
            [str(ROOT / "scripts" / "secret-key.sh"), file],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name, file in KEYS.items()
    }


def bare_environment(**values: str) -> dict[str, str]:
    """This process's environment with no key, no production switch, plus ``values``."""
    drop = {*KEYS, "PINGAN_ENV", "HTTPS", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(values)
    return env


def manage(*args: str, **values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=bare_environment(**values),
        capture_output=True,
        text=True,
        check=False,
    )


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_manage_py_runs_with_nothing_exported_and_uses_the_key_files(key_files):
    code = (
        "import hashlib; from django.conf import settings as s; "
        "h = lambda v: hashlib.sha256(v.encode()).hexdigest(); "
        "print(h(s.SECRET_KEY), h(','.join(s.FIELD_ENCRYPTION_KEYS)), h(s.FIELD_HASH_KEY))"
    )

    check = manage("check")
    loaded = manage("shell", "-v", "0", "-c", code)

    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == [digest(key_files[name]) for name in KEYS]


def test_a_key_in_the_environment_wins_over_its_file(key_files):
    own = "an-exported-secret-key-" + "x" * 40

    loaded = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        SECRET_KEY=own,
    )

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == own


@pytest.mark.parametrize("missing", list(KEYS))
@pytest.mark.parametrize("production", [{"PINGAN_ENV": "production"}, {"HTTPS": "true"}])
def test_production_refuses_a_missing_key_in_one_line_naming_it(key_files, missing, production):
    given = {name: value for name, value in key_files.items() if name != missing}

    result = manage("check", **given, **production)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"ImproperlyConfigured: Set the environment variable {missing} "
        "(production: no key file is read)."
    ]
    assert all(value not in result.stderr for value in key_files.values())


def test_development_may_be_asked_for_explicitly_behind_https(key_files):
    result = manage("check", HTTPS="true", PINGAN_ENV="development")

    assert result.returncode == 0, result.stderr


def test_an_unknown_pingan_env_is_refused_in_one_line(key_files):
    result = manage("check", PINGAN_ENV="prod")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "ImproperlyConfigured: PINGAN_ENV must be production or development, not 'prod'."
    ]


def test_a_missing_key_file_says_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ImproperlyConfigured) as error:
        env_or_file("SECRET_KEY", tmp_path / "secret_key", production=False)

    assert str(error.value) == (
        f"Set the environment variable SECRET_KEY, or run `make db` once to keep one in "
        f"{tmp_path / 'secret_key'}."
    )


def test_an_empty_variable_is_refused_even_with_a_key_file(tmp_path, monkeypatch):
    (tmp_path / "field_hash_key").write_text("k" * 40)
    monkeypatch.setenv("FIELD_HASH_KEY", "")

    with pytest.raises(ImproperlyConfigured, match="Set the environment variable FIELD_HASH_KEY"):
        env_or_file("FIELD_HASH_KEY", tmp_path / "field_hash_key", production=False)
