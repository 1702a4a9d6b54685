"""Where the project's own cluster lives: var/pg, or — as root, when the postgres system user
cannot reach the project (a clone under /root, mode 0700) — /var/lib/pingan/<hash>. The shell
(scripts/pg-socket-dir.sh, used by scripts/pg.sh) and Python (settings) must agree."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.environment import cluster_home, local_socket_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def place() -> Iterator[Path]:
    """A directory in /tmp that others may pass through (0755), removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="pingan-home-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


def project(parent: Path) -> Path:
    """A project directory holding the path script, as a clone has it."""
    root = parent / "proj"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "pg-socket-dir.sh", root / "scripts" / "pg-socket-dir.sh")
    return root


def shell(root: Path, state: Path, *args: str) -> str:
    env = {**os.environ, "PINGAN_STATE_DIR": str(state)}
    script = str(root / "scripts" / "pg-socket-dir.sh")
    result = subprocess.run([script, *args], env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def relocated(root: Path, state: Path) -> str:
    return f"{state}/{hashlib.sha1(str(root).encode()).hexdigest()[:12]}"


def test_as_root_a_project_others_cannot_enter_keeps_its_cluster_in_the_state_dir(place):
    private = place / "private"
    private.mkdir(mode=0o700)
    root = project(private)
    state = place / "state"

    assert cluster_home(root, euid=0, state_dir=str(state)) == relocated(root, state)
    assert local_socket_dir(root, euid=0, state_dir=str(state)) == relocated(root, state)
    # A user runs their own cluster, which may enter their own private directory.
    assert cluster_home(root, euid=1000, state_dir=str(state)) == f"{root}/var/pg"


def test_a_project_others_may_enter_keeps_its_cluster_in_var(place):
    root = project(place)
    state = place / "state"

    assert cluster_home(root, euid=0, state_dir=str(state)) == f"{root}/var/pg"
    # var/ itself made 0700 (a umask 077) shuts postgres out as well.
    (root / "var").mkdir(mode=0o700)
    assert cluster_home(root, euid=0, state_dir=str(state)) == relocated(root, state)


def test_a_cluster_already_in_var_stays_there(place):
    private = place / "private"
    private.mkdir(mode=0o700)
    root = project(private)
    (root / "var" / "pg" / "data").mkdir(parents=True)  # made while postgres could still enter
    state = place / "state"

    assert cluster_home(root, euid=0, state_dir=str(state)) == f"{root}/var/pg"
    assert shell(root, state, "--home") == cluster_home(root, state_dir=str(state))


def test_a_relocated_cluster_is_found_again_by_anyone(place):
    root = project(place)
    state = place / "state"
    Path(relocated(root, state)).mkdir(parents=True)

    for euid in (0, 1000):
        assert cluster_home(root, euid=euid, state_dir=str(state)) == relocated(root, state)


@pytest.mark.parametrize("private", [True, False])
@pytest.mark.parametrize("made", [True, False])
def test_the_shell_script_agrees_with_python(place, private, made):
    parent = place / "parent"
    parent.mkdir(mode=0o700 if private else 0o755)
    root = project(parent)
    state = place / "state"
    if made:
        Path(relocated(root, state)).mkdir(parents=True)

    home = cluster_home(root, state_dir=str(state))  # this process's own user, like the script

    assert shell(root, state, "--home") == home
    assert shell(root, state) == local_socket_dir(root, state_dir=str(state))
    if os.geteuid() == 0:
        expected = relocated(root, state) if private or made else f"{root}/var/pg"
        assert home == expected
