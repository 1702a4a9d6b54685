"""The Content-Security-Policy header: on every response, scripts only from the site, base-map
tiles from the configured host. (tests/browser/test_csp.py checks the pages in Chromium.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def policy_of(response) -> dict[str, list[str]]:
    parts = (p.split() for p in response["Content-Security-Policy"].split(";") if p.strip())
    return {words[0]: words[1:] for words in parts}


def img_src(**values: str) -> list[str]:
    """img-src of the policy config/settings.py builds from the environment ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAP_", "TIANDITU"))}
    env.update(values, SECRET_KEY="x", DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/map/", "/api/areas/", "/healthz"])
def test_every_response_carries_a_policy_without_inline_scripts(client, network, path):
    response = client.get(path)

    policy = policy_of(response)
    assert response.status_code == 200
    assert policy["script-src"] == ["'self'"]  # a nonce only where a page uses one
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_without_a_base_map_images_come_only_from_the_site():
    assert img_src(MAP_TILES="none") == ["'self'", "data:", "blob:"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        (
            "https://{s}.tiles.example.gov.cn:8443/{z}/{x}/{y}.png",
            "https://*.tiles.example.gov.cn:8443",
        ),
        ("http://10.1.2.3/osm/{z}/{x}/{y}.png", "http://10.1.2.3"),
    ],
)
def test_the_configured_tile_host_may_serve_images(url, source):
    assert img_src(MAP_TILES="osm", MAP_TILE_URL=url) == ["'self'", "data:", "blob:", source]


def test_tiles_on_the_sites_own_host_need_no_extra_source():
    assert img_src(MAP_TILES="osm", MAP_TILE_URL="/tiles/base/{z}/{x}/{y}.png")[3:] == []


def test_tianditu_tiles_come_from_its_eight_hosts():
    sources = img_src(MAP_TILES="tianditu", TIANDITU_KEY="k")[3:]

    assert sources == [f"https://t{n}.tianditu.gov.cn" for n in range(8)]
