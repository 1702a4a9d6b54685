"""What every incidents page does: Simplified Chinese by default, nothing loaded from other
hosts; the map's layers by role."""

from __future__ import annotations

import re

import pytest

from tests.incidents.page_helpers import html, logged_in

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

EXTERNAL = re.compile(r"""<(?:script|link|img)[^>]*\s(?:src|href)=["']https?://""")


# --- every page ----------------------------------------------------------------------------------


@pytest.fixture
def page_urls(people, intake):
    incident = intake(title="页面检查")
    return [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        "/incidents/new/field/",
        "/incidents/my-grid/",
    ]


def test_pages_render_in_chinese_by_default(zh_client, people, page_urls):
    zh_client.force_login(people["leader_a1"])

    for url in page_urls:
        response = zh_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in html(response), url


def test_window_form_renders_in_chinese_by_default(zh_client, people):
    zh_client.force_login(people["county"])

    response = zh_client.get("/incidents/new/window/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html(response)


def test_pages_load_nothing_from_other_hosts(client, people, page_urls):
    logged_in(client, people["leader_a1"])

    for url in [*page_urls, "/map/"]:
        assert not EXTERNAL.search(html(client.get(url))), url


def test_map_offers_matter_and_responder_tiles_to_logged_in_users(client, people):
    page = html(logged_in(client, people["county"]).get("/map/"))

    assert 'id="ops-layers"' in page
    assert 'data-tiles="/tiles/incidents/0/0/0.pbf"' in page
    assert 'data-responder-tiles="/tiles/responders/0/0/0.pbf"' in page


def test_map_offers_grid_leaders_no_responders_and_no_console(client, people):
    page = html(logged_in(client, people["leader_a1"]).get("/map/"))

    assert 'data-responder-tiles=""' in page
    assert 'data-console-url=""' in page


def test_map_hides_matters_from_anonymous_visitors(client, network):
    page = html(client.get("/map/"))

    assert 'id="ops-layers"' not in page
