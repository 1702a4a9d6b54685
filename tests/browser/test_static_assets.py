"""Every page's files are found, with static files served as in production: collected by the
manifest storage (hashed names) and served from the collected directory, as WhiteNoise does.

The other browser tests serve static files by their plain names, where Leaflet's guess of its
image folder (from leaflet.css's URL) happens to work; with hashed names it did not, and the field
report form asked for marker-icon-2x.png and marker-shadow.png relative to the page (404).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

MANIFEST = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory) -> Path:
    """collectstatic with the manifest storage into a directory of this module's own."""
    root = tmp_path_factory.mktemp("static")
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    with override_settings(STATIC_ROOT=root, STORAGES={**storages, "staticfiles": MANIFEST}):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def manifest_static(settings, plain_static_files, collected_static) -> Path:
    """Pages name static files by their hashed names, as in production."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    return collected_static


@pytest.fixture
def visit(browser, live_server, manifest_static):
    """Sign in and open pages, serving /static/ from the collected files; every answer ≥ 400
    (and every request that failed) is recorded on ``context.broken``."""
    contexts = []

    def serve(route) -> None:
        path = route.request.url.split("/static/", 1)[1].split("?", 1)[0]
        file = manifest_static / path
        if not file.is_file():
            route.fulfill(status=404, body="not collected")
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), headers={"content-type": kind})

    def failed(context, request) -> None:
        # Requests cut off by leaving the page (polling, map tiles) are not missing files.
        if request.failure != "net::ERR_ABORTED":
            context.broken.append(f"{request.failure} {request.url}")

    def open_as(user, *, phone: bool):
        context = browser.new_context(
            locale="zh-CN",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2,  # a phone's screen: Leaflet asks for marker-icon-2x.png
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        context.broken = []
        context.route("**/static/**", serve)
        context.on(
            "response",
            lambda answer: (
                answer.status >= 400 and context.broken.append(f"{answer.status} {answer.url}")
            ),
        )
        context.on("requestfailed", lambda request: failed(context, request))
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.stacked-form button[type=submit]")
        return page

    yield open_as, live_server.url
    for context in contexts:
        context.close()


def settle(page) -> None:
    """Let late requests (map tiles, marker images) go out."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)


def test_field_report_pin_loads_its_images(visit, people):
    open_as, url = visit
    page = open_as(people["leader_a1"], phone=True)
    page.goto(f"{url}{reverse('incidents:field-intake')}")
    pick = page.locator("#pick-map")
    pick.click(position={"x": pick.bounding_box()["width"] / 2, "y": 80})
    page.wait_for_selector("#pick-map .leaflet-marker-icon")
    settle(page)

    shown = page.evaluate(
        "[...document.querySelectorAll('#pick-map img.leaflet-marker-icon,"
        " #pick-map img.leaflet-marker-shadow')].map(i => i.complete && i.naturalWidth > 0)"
    )
    assert shown == [True, True]
    assert page.context.broken == []


@pytest.mark.parametrize(
    ("who", "phone", "pages"),
    [
        (
            "leader_a1",
            True,
            [
                "home",
                "area-map",
                "incidents:field-intake",
                "incidents:my-grid",
                "incidents:queue",
                "notify:list",
                "account-security",
            ],
        ),
        (
            "county",
            False,
            ["home", "area-map", "incidents:queue", "incidents:window-intake", "volunteers:queue"],
        ),
        ("boss", False, ["home", "analytics:index", "area-map"]),
        ("responder", True, ["home", "volunteers:responder"]),
    ],
    ids=["grid-leader", "dispatcher", "leader", "responder"],
)
def test_no_page_asks_for_a_file_that_is_not_there(visit, people, intake, who, phone, pages):
    matter = intake()
    open_as, url = visit
    page = open_as(people[who], phone=phone)
    paths = [reverse(name) for name in pages]
    if who in ("leader_a1", "county"):
        paths.append(reverse("incidents:detail", args=[matter.pk]))
    for path in paths:
        page.goto(f"{url}{path}")
        settle(page)

    assert page.context.broken == []
