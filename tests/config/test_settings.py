"""Settings come from the environment; a missing or bad value names itself."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MAP_TILES"}}
    env.update(overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_missing_secret_key_is_refused_by_name():
    result = load_settings()

    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MAP_TILES": "google"}, "MAP_TILES must be none, osm or tianditu"),
        ({"MAP_TILES": "tianditu"}, "TIANDITU_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
    ],
)
def test_bad_settings_name_the_variable(overrides, message):
    result = load_settings(SECRET_KEY="x", **overrides)

    assert result.returncode != 0
    assert message in result.stderr


def test_debug_defaults_to_off():
    result = load_settings(SECRET_KEY="x")

    assert result.stdout.strip() == "False"


def test_socket_dir_moves_to_tmp_when_the_project_path_is_too_long_for_a_socket():
    from config.environment import local_socket_dir

    assert local_socket_dir(Path("/srv/pingan")) == "/srv/pingan/var/pg"
    long_dir = local_socket_dir(Path("/" + "x" * 100))
    assert long_dir.startswith("/tmp/pingan-")


def test_socket_dir_agrees_with_the_shell_script():
    from config.environment import local_socket_dir

    script = subprocess.run(
        [str(ROOT / "scripts" / "pg-socket-dir.sh")], capture_output=True, text=True, check=True
    )

    assert script.stdout.strip() == local_socket_dir(ROOT)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"FIELD_ENCRYPTION_KEYS": ""}, "Set the environment variable FIELD_ENCRYPTION_KEYS"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, "key 1 is not a Fernet key"),
        ({"FIELD_HASH_KEY": "short-hash-key"}, "FIELD_HASH_KEY must be at least 32"),
    ],
)
def test_bad_encryption_keys_are_named_but_never_repeated(overrides, message):
    result = load_settings(SECRET_KEY="x", **overrides)

    assert result.returncode != 0
    assert message in result.stderr
    assert all(value not in result.stderr for value in overrides.values() if value)
