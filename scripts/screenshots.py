#!/usr/bin/env python3
"""Screenshots of the four daily journeys for docs/screenshots/, taken with Playwright and headless
Chromium against a running demo server (`make demo`), signed in with the demo logins
(`manage.py demo_logins`).

    make screenshots                       # against http://127.0.0.1:$(PORT)/
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000/ --out docs/screenshots
    .venv/bin/python scripts/screenshots.py --only briefing.png,map.png

The grid leader's and the responder's pages at a phone's 390×844, the dispatcher's and the
leader's on a 1400×900 desktop. Each file is written whole or not at all; a journey that cannot be
taken (a page missing, no matter in the queue) is reported and the script exits with status 1
after taking the others.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gridmap.demo.logins import DEMO_LOGINS, DEMO_PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
# Time for maps, tiles and lists the scripts fill in after the page's load event (the live
# notification stream keeps a request open, so "network idle" never comes).
SETTLE_MS = 2500
# The first demo login of each role: the county's dispatcher, not the township's.
LOGINS: dict[str, str] = {}
for _login in DEMO_LOGINS:
    LOGINS.setdefault(_login.role, _login.username)


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file, who takes it, on what screen, and how the page is reached."""

    file: str
    role: str
    phone: bool
    take: Callable[[Page, str], None]  # (page, base URL): leaves the page as it is to be shot
    full_page: bool = False


def settle(page: Page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(SETTLE_MS)


def visit(path: str) -> Callable[[Page, str], None]:
    def go(page: Page, base: str) -> None:
        page.goto(urljoin(base, path))
        settle(page)

    return go


def first_link(path: str, selector: str) -> Callable[[Page, str], None]:
    """Open ``path``, then the first link matching ``selector`` on it."""

    def go(page: Page, base: str) -> None:
        page.goto(urljoin(base, path))
        link = page.locator(selector).first
        href = link.get_attribute("href", timeout=10_000)
        if not href:
            raise RuntimeError(f"no link {selector!r} on {path}")
        page.goto(urljoin(base, href))
        settle(page)

    return go


def heat_map(page: Page, base: str) -> None:
    """The area map with the heat layer switched on in its layer control."""
    visit("/map/")(page, base)
    control = page.locator(".leaflet-control-layers").first
    control.hover()
    labels = control.locator(".leaflet-control-layers-overlays label")
    heat = labels.filter(has_text="热力")
    (heat if heat.count() else labels.last).locator("input").check()
    page.mouse.move(10, DESKTOP["height"] - 10)  # the control folds again
    settle(page)


def matter_on_map(page: Page, base: str) -> None:
    """The area map at street level on the newest routed matter, clicked: its panel open."""
    visit("/map/")(page, base)
    answer = page.request.get(
        urljoin(base, "/api/incidents/?state=routed&page_size=1"),
        headers={"Accept": "application/json"},
    )
    features = answer.json().get("features", []) if answer.ok else []
    if not features:
        raise RuntimeError("no routed matter in the demo to show on the map")
    lon, lat = features[0]["geometry"]["coordinates"]
    page.evaluate("document.getElementById('area-map').removeAttribute('data-matters-loaded')")
    page.evaluate(
        "([lat, lon]) => window.PinganAreaMap.setView([lat, lon], 16, {animate: false})",
        [lat, lon],
    )
    page.wait_for_selector("#area-map[data-matters-loaded]", state="attached")
    page.wait_for_timeout(800)
    point = page.evaluate(
        "([lat, lon]) => { const p = window.PinganAreaMap.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )
    box = page.locator("#area-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    settle(page)


def console_with_candidates(page: Page, base: str) -> None:
    """The console of the first matter in the dispatch queue that has candidates to show."""
    page.goto(urljoin(base, "/dispatch/"))
    links = page.locator("a[href*='/dispatch/incidents/']")
    links.first.wait_for(timeout=10_000)
    hrefs = list(dict.fromkeys(links.evaluate_all("(all) => all.map((a) => a.href)")))
    for href in hrefs[:20]:
        page.goto(href)
        if page.locator("#candidates tbody tr[data-responder]").count():
            break
    settle(page)


SHOTS = [
    # The dispatcher (county center), desktop.
    Shot("incident-queue.png", "dispatcher", False, visit("/incidents/?scope=all")),
    Shot(
        "incident-detail.png",
        "dispatcher",
        False,
        first_link("/incidents/?scope=all", "table.matters tbody td.col-title a"),
        full_page=True,
    ),
    Shot("dispatch-queue.png", "dispatcher", False, visit("/dispatch/")),
    Shot(
        "dispatch-console.png",
        "dispatcher",
        False,
        console_with_candidates,
        full_page=True,
    ),
    Shot("map.png", "dispatcher", False, visit("/map/")),
    Shot("map-heatmap.png", "dispatcher", False, heat_map),
    Shot("map-matter.png", "dispatcher", False, matter_on_map),
    # The leader, desktop.
    Shot(
        "briefing.png",
        "leadership",
        False,
        first_link("/", "a[href*='/analytics/briefing/?area=']"),  # the home page's link
    ),
    # The grid leader, phone.
    Shot("my-grid.png", "grid_leader", True, visit("/incidents/my-grid/")),
    Shot("field-form.png", "grid_leader", True, visit("/incidents/new/field/"), full_page=True),
    Shot("map-phone.png", "grid_leader", True, visit("/map/")),
    # The responder, phone.
    Shot("responder-phone.png", "responder", True, visit("/responder/")),
]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(urljoin(base, "/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.stacked-form button[type=submit]")
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"cannot sign in as {username}: is the demo loaded (make demo)?")


def take(shots: list[Shot], base: str, out: Path) -> list[str]:
    """Take ``shots`` into ``out``; the problems, one line each."""
    problems = []
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for (role, phone), group in _by_user(shots).items():
            context = browser.new_context(
                locale="zh-CN",
                viewport=PHONE if phone else DESKTOP,
                is_mobile=phone,
                has_touch=phone,
                device_scale_factor=1,
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            try:
                sign_in(page, base, LOGINS[role])
            except (RuntimeError, PlaywrightError) as error:
                problems += [f"{shot.file}: {error}" for shot in group]
                context.close()
                continue
            for shot in group:
                target = out / shot.file
                partial = target.with_suffix(".part.png")
                try:
                    shot.take(page, base)
                    page.screenshot(path=str(partial), full_page=shot.full_page)
                    partial.replace(target)
                    print(f"{target}  ({role}, {'phone' if phone else 'desktop'})")
                except (RuntimeError, PlaywrightError) as error:
                    partial.unlink(missing_ok=True)
                    problems.append(f"{shot.file}: {str(error).splitlines()[0]}")
            context.close()
        browser.close()
    return problems


def _by_user(shots: list[Shot]) -> dict[tuple[str, bool], list[Shot]]:
    groups: dict[tuple[str, bool], list[Shot]] = {}
    for shot in shots:
        groups.setdefault((shot.role, shot.phone), []).append(shot)
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the demo server")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), type=Path)
    parser.add_argument("--only", default="", help="comma-separated file names (default: all)")
    args = parser.parse_args(argv)
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = wanted - {shot.file for shot in SHOTS}
    if unknown:
        parser.error(f"no such screenshot: {', '.join(sorted(unknown))}")
    shots = [shot for shot in SHOTS if not wanted or shot.file in wanted]
    problems = take(shots, args.url, Path(args.out))
    for line in problems:
        print(f"not taken: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
