"""A. assign() before and after the outbox (bench/dispatch.py in two checkouts)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

from bench.dispatch import (
    say,
)
from bench.notifying.common import PYTHON, ROOT, TARGET_ADDED_MS, TARGET_RATIO

# --- A. assign() with and without the outbox ---------------------------------------------------


@dataclass
class DispatchFigures:
    """What one bench/dispatch.py run printed."""

    label: str
    service_tps: float = 0.0
    raw_tps: float = 0.0
    ratio: float = 0.0
    doubles: int = -1
    statements: int = 0
    load: str = ""


ROW = re.compile(r"^(service assign\(\)|raw SQL \(psycopg\))\s+(\d+)\s+([\d.]+)")
RATIO = re.compile(r"service/raw ([\d.]+).*double dispatches (\d+).*service (\d+), raw")


def before_checkout(path: Path, commit: str) -> Path:
    """A detached worktree of ``commit`` (made once, reused)."""
    if not (path / "bench" / "dispatch.py").exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), commit],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return path


def database_url() -> str:
    """The database this process uses, for a checkout whose own default would be elsewhere."""
    db = settings.DATABASES["default"]
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"


def run_dispatch(label: str, root: Path, args: argparse.Namespace, group: bool) -> DispatchFigures:
    command = [PYTHON, str(root / "bench" / "dispatch.py"), "--skip-api"]
    command += ["--responders", str(args.responders), "--points", str(args.points)]
    command += ["--seconds", f"{args.seconds:g}"]
    env = {**os.environ, "DB_POOL": "false", "DATABASE_URL": database_url()}
    if not group:
        env["NOTIFY_WECOM_WEBHOOK"] = ""
    say(f"  {label}: {' '.join(command[1:])}")
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    figures = DispatchFigures(label)
    for line in result.stdout.splitlines():
        if match := ROW.match(line):
            tps = float(match.group(3))
            if match.group(1).startswith("service"):
                figures.service_tps = tps
            else:
                figures.raw_tps = tps
        elif match := RATIO.search(line):
            figures.ratio, figures.doubles = float(match.group(1)), int(match.group(2))
            figures.statements = int(match.group(3))
        elif line.startswith("Demo county"):
            figures.load = line.rpartition("load average ")[2].split(" ")[0]
        if line.startswith(("  service assign():", "  raw SQL (psycopg):")) and "×" in line:
            say(f"    {line.strip()}")
    if result.returncode or figures.doubles < 0:
        raise SystemExit(f"bench/dispatch.py ({label}) failed:\n{result.stderr[-3000:]}")
    return figures


def bench_assign_cost(args: argparse.Namespace) -> None:
    before_root = before_checkout(Path(args.before_dir), args.before)
    say(
        f"\n== A. assign() before and after the outbox: bench/dispatch.py, {args.responders:,} "
        f"responders, {args.points:,} matters, {args.seconds:g} s per path, "
        f"{args.rounds} round(s) =="
    )
    say(f"  before: {args.before} in {before_root}; after: this checkout")
    runs: list[DispatchFigures] = []
    for round_ in range(1, args.rounds + 1):
        runs.append(run_dispatch(f"before #{round_}", before_root, args, group=False))
        runs.append(run_dispatch(f"after #{round_}", ROOT, args, group=args.group_channel))
    say(
        f"{'run':<12}{'load':>6}{'assign() tx/s':>15}{'raw tx/s':>10}{'service/raw':>13}"
        f"{'double':>8}{'statements':>12}"
    )
    for run in runs:
        say(
            f"{run.label:<12}{run.load:>6}{run.service_tps:>15.1f}{run.raw_tps:>10.1f}"
            f"{run.ratio:>13.2f}{run.doubles:>8}{run.statements:>12}"
        )
    before = [r for r in runs if r.label.startswith("before")]
    after = [r for r in runs if r.label.startswith("after")]

    def ms(group: list[DispatchFigures]) -> float:
        return sum(1000 / r.service_tps for r in group) / len(group)

    added = ms(after) - ms(before)
    ratio = min(r.ratio for r in after)
    doubles = sum(r.doubles for r in runs)
    # The bench units have no accounts: no site rows here (B writes them).
    channels = (
        "audience query, the center's WeCom row"
        if args.group_channel
        else "the audience query only"
    )
    say(
        f"outbox ({channels}): {added:+.2f} ms per assignment of the 16 threads' service path "
        f"(target ≤ {TARGET_ADDED_MS:g}); service/raw after {ratio:.2f} (target ≥ {TARGET_RATIO}); "
        f"double dispatches {doubles} (must be 0)"
    )
