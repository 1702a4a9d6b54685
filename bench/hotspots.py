"""Benchmark: our Gi* next to PySAL esda's, and a county-month briefing. Prints figures only.

1. Gi* (binary weights, star) on queen lattices of ~2k and ~20k cells, analytic z-scores and
   999 conditional permutations: the first call in a fresh process (esda pays its numba compile
   there) and the best of 3 warm calls, ours and esda's in the same run. Targets: first call
   ≤ 0.1 × esda's, warm ≤ 1 ×.
2. The briefing of the demo county for its last whole month (data, stored hot-spot run, HTML
   with folium maps, PDF with WeasyPrint). Target ≤ 10 s.

Run: make bench  (or: .venv/bin/python bench/hotspots.py [--skip-briefing])
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIDES = (46, 142)  # 2,116 and 20,164 cells
PERMUTATIONS = 999


def child(library: str, side: int, permutations: int) -> None:
    """In this fresh process: first call and best warm call of one implementation."""
    import numpy as np
    from libpysal.weights import lat2W

    sys.path.insert(0, str(ROOT))
    w = lat2W(side, side, rook=False)
    y = np.random.default_rng(1).poisson(3.0, side * side).astype(float)
    if library == "ours":
        from analytics.gistar import gi_star

        adjacency = w.sparse

        def call() -> None:
            gi_star(y, adjacency, permutations=permutations, seed=1)
    else:
        from esda.getisord import G_Local

        def call() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                G_Local(y, w, star=True, transform="B", permutations=permutations, seed=1)

    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    warm = []
    for _ in range(3):
        started = time.perf_counter()
        call()
        warm.append(time.perf_counter() - started)
    print(json.dumps({"first": first, "warm": min(warm)}))


def measure(library: str, side: int, permutations: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", library, str(side), str(permutations)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NUMBA_CACHE_DIR": "/nonexistent"},  # no compile cache between runs
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def gi_table() -> None:
    print("Gi* (binary, star), queen lattice; first call in a fresh process, warm = best of 3")
    print(
        f"{'cells':>7} {'perms':>5} | {'ours first':>10} {'esda first':>10} {'ratio':>6} | "
        f"{'ours warm':>9} {'esda warm':>9} {'ratio':>6}"
    )
    for side in SIDES:
        for permutations in (0, PERMUTATIONS):
            ours = measure("ours", side, permutations)
            esda = measure("esda", side, permutations)
            print(
                f"{side * side:>7,} {permutations:>5} | "
                f"{ours['first']:>9.3f}s {esda['first']:>9.3f}s "
                f"{ours['first'] / esda['first']:>6.3f} | {ours['warm']:>8.3f}s "
                f"{esda['warm']:>8.3f}s {ours['warm'] / esda['warm']:>6.2f}",
                flush=True,
            )


def briefing_time() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import timezone

    from analytics import briefing, render
    from analytics.periods import default_period
    from gridmap.models import Area

    county = Area.objects.get(code="621122000000")
    period = default_period(timezone.localdate())
    for attempt in ("first", "second"):
        started = time.perf_counter()
        result = briefing.build(area=county, period=period)
        built = time.perf_counter() - started
        html = render.html(result, leaflet=render.LOCAL_LEAFLET)
        html_done = time.perf_counter() - started
        pdf = render.pdf(result)
        total = time.perf_counter() - started
        print(
            f"briefing {county.code} {period.label} ({attempt}): data {built:.2f} s, "
            f"+HTML {html_done - built:.2f} s ({len(html) / 1e6:.1f} MB), "
            f"+PDF {total - html_done:.2f} s ({len(pdf) / 1e6:.1f} MB) = {total:.2f} s",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=3, metavar=("LIBRARY", "SIDE", "PERMUTATIONS"))
    parser.add_argument("--skip-briefing", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), int(args.child[2]))
        return
    gi_table()
    if not args.skip_briefing:
        briefing_time()


if __name__ == "__main__":
    main()
