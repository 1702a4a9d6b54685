"""The installable field app's server side: the worker, the manifest, the start page
(config/pwa.py, docs/field-app.md). The browser side is tests/browser/test_field_app.py."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from PIL import Image

from config.pwa import SHELL_FILES, WORKER_SCRIPT

pytestmark = pytest.mark.django_db


def test_the_worker_is_served_at_the_root_for_scope_slash_and_never_from_a_cache():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    # Under the site's policy like every script: default-src 'self' covers worker-src.
    assert "default-src 'self'" in response["Content-Security-Policy"]
    body = response.content.decode()
    config = json.loads(re.match(r"self\.PINGAN_SW = (.*);\n", body).group(1))
    # The release's own files by their hashed names (a new release, new names, a new worker).
    assert f'importScripts("{staticfiles_storage.url(WORKER_SCRIPT)}")' in body
    assert re.search(r"/static/js/service-worker\.[0-9a-f]{12}\.js", body)
    assert config["startUrl"] == "/app/"
    assert config["shell"] == [staticfiles_storage.url(name) for name in SHELL_FILES]
    assert config["queueScript"] == staticfiles_storage.url("js/offline-queue.js")
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])


def test_every_file_of_the_app_shell_exists():
    assert [name for name in (*SHELL_FILES, WORKER_SCRIPT) if finders.find(name) is None] == []


def test_the_manifest_has_what_browsers_need_to_install_the_app():
    response = Client(headers={"accept-language": "zh-hans"}).get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    # Chromium's installability criteria: name or short_name, start_url, display, 192 and 512
    # px icons; a maskable icon for Android's launcher shapes.
    assert manifest["name"]
    assert manifest["short_name"] == "平安网格"
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/"
    assert manifest["id"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-hans"
    sizes = {}
    for icon in manifest["icons"]:
        name = re.sub(r"\.[0-9a-f]{12}\.png$", ".png", icon["src"].removeprefix("/static/"))
        path = finders.find(name)
        with Image.open(path) as image:
            assert icon["sizes"] == f"{image.width}x{image.height}"
            assert image.format == "PNG"
            assert icon["type"] == "image/png"
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]


def test_the_manifest_speaks_english_to_an_english_phone():
    manifest = Client(headers={"accept-language": "en"}).get("/manifest.webmanifest").json()
    assert manifest["short_name"] == "Pingan Grid"
    assert manifest["lang"] == "en"


def test_every_page_links_the_manifest_and_registers_the_worker_from_a_file():
    html = Client().get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    script = r'<script src="/static/js/pwa\.\w+\.js" id="pwa-script" data-worker="/sw.js"'
    assert re.search(script, html)


@pytest.mark.parametrize(
    ("who", "target"),
    [("leader_a1", "/incidents/my-grid/"), ("responder", "/responder/"), ("county", "/")],
)
def test_the_start_page_opens_the_field_page_of_the_role(as_user, who, target):
    response = as_user(who).get("/app/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_the_start_page_asks_a_stranger_to_sign_in():
    response = Client().get("/app/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signed_in_pages_mark_the_role_pages_kept_offline(as_user):
    html = as_user("leader_a1").get("/incidents/my-grid/").content.decode()
    assert re.search(r'href="/incidents/new/field/" data-offline', html)
    assert re.search(r'href="/incidents/my-grid/" data-offline="start"', html)
    assert 'data-user=""' not in html
