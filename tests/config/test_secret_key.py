"""The demo's secret key file, made by the Makefile, is readable by its owner only."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The Makefile and its key script in an empty project directory (no var/ yet)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy2(ROOT / "scripts" / "secret-key.sh", tmp_path / "scripts" / "secret-key.sh")
    return tmp_path


def run_make(directory: Path) -> subprocess.CompletedProcess:
    """`make help` with a permissive umask and no SECRET_KEY: the Makefile makes the key."""
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    return subprocess.run(
        ["bash", "-c", "umask 022 && make --no-print-directory help"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_makefile_creates_the_secret_key_readable_by_its_owner_only(project_copy):
    run_make(project_copy)

    key = project_copy / "var" / "secret_key"
    assert mode(key) == 0o600
    assert len(key.read_text()) >= 50  # Django's check --deploy wants 50 characters or more
    assert mode(project_copy / "var") & 0o044 == 0  # others may not list var/


def test_makefile_tightens_an_existing_world_readable_key_and_keeps_it(project_copy):
    (project_copy / "var").mkdir()
    key = project_copy / "var" / "secret_key"
    key.write_text("an-older-key-" + "x" * 50)
    key.chmod(0o644)

    run_make(project_copy)

    assert mode(key) == 0o600
    assert key.read_text() == "an-older-key-" + "x" * 50
