"""Pages: home, map and login render in both languages and load nothing from other hosts."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from gridmap.models import Area

PAGES = ["/", "/map/", "/accounts/login/"]
ASSET = re.compile(r"""<(?:script[^>]*\ssrc|link[^>]*\shref)=["']([^"']+)["']""")


# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = pytest.mark.usefixtures("plain_static_storage")


def get(client, url, language="zh-hans"):
    return client.get(url, headers={"accept-language": language})


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_page_renders_in_chinese_by_default(client, network, url):
    response = get(client, url)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "平安网格" in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_page_renders_in_english(client, network, url):
    response = get(client, url, "en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Pingan Grid" in html
    assert "平安网格" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_page_loads_scripts_and_styles_only_from_own_static_files(client, network, url):
    html = get(client, url).content.decode()

    # The web app manifest is the one link the project serves from a view (config/pwa.py).
    assets = [asset for asset in ASSET.findall(html) if asset != reverse("pwa-manifest")]
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"


@pytest.mark.django_db
def test_home_counts_areas_per_level(client, network):
    html = get(client, "/", "en").content.decode()

    assert '<td class="num" data-level="county">1</td>' in html
    assert '<td class="num" data-level="township">2</td>' in html
    assert '<td class="num" data-level="village">4</td>' in html
    assert '<td class="num" data-level="grid">8</td>' in html


@pytest.mark.django_db
def test_map_page_passes_api_urls_and_translated_strings_to_its_script(client, network):
    html = get(client, "/map/").content.decode()

    assert 'id="map-options"' in html
    assert '"areasUrl": "/api/areas/"' in html
    assert '"detailUrl": "/api/areas/CODE/"' in html
    assert "网格" in html
    assert 'id="map-config"' in html


@pytest.mark.django_db
def test_banner_shown_when_divisions_are_synthetic(client, network):
    Area.objects.exclude(level="county").update(synthetic=True)

    html = get(client, "/").content.decode()

    assert "演示数据：乡镇、村（社区）和网格边界为合成数据，仅县界为参考轮廓" in html


@pytest.mark.django_db
def test_no_banner_for_official_boundaries(client, network):
    html = get(client, "/", "en").content.decode()

    assert "Demo data" not in html


@pytest.mark.django_db
def test_language_switch_turns_the_site_english(client, network):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/map/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/map/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_login_with_username_and_password_signs_in(client, network, make_user):
    make_user("zhangsan", jurisdiction=network["621122000000"])

    response = client.post(
        "/accounts/login/", {"username": "zhangsan", "password": "test-pass-123"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").context["user"].username == "zhangsan"


@pytest.mark.django_db
def test_login_with_wrong_password_shows_the_form_again(client, network, make_user):
    make_user("zhangsan", jurisdiction=network["621122000000"])

    response = client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"})

    assert response.status_code == 200
    assert "form-errors" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post_form_for_signed_in_users(client, network, make_user):
    client.force_login(make_user("zhangsan", jurisdiction=network["621122000000"]))

    html = get(client, "/").content.decode()

    assert 'action="/accounts/logout/"' in html
    assert client.post("/accounts/logout/").status_code == 302
