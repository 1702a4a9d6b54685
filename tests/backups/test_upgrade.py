"""`make upgrade`: a backup before anything changes, then the steps in order, then a restart."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_upgrade_backs_up_before_it_migrates_then_collects_compiles_and_restarts():
    plan = subprocess.run(
        ["make", "-n", "upgrade"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    steps = [
        "manage.py backup",
        "manage.py migrate --no-input",
        "manage.py collectstatic --no-input",
        "manage.py compilemessages",
        "scripts/restart.sh",
    ]
    positions = [plan.find(step) for step in steps]
    assert -1 not in positions, plan
    assert positions == sorted(positions), plan


def test_restart_says_what_to_do_when_no_service_runs_and_runs_a_configured_hook():
    env = {**os.environ, "PINGAN_UNITS": "pingan-test-absent.service"}
    env.pop("RESTART_COMMAND", None)
    told = subprocess.run(
        ["scripts/restart.sh"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "nothing restarted" in told
    assert "run `make serve` again" in told

    env["RESTART_COMMAND"] = "echo hook ran"
    hooked = subprocess.run(
        ["scripts/restart.sh"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert hooked.splitlines()[-1] == "hook ran"
