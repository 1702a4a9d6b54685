"""Every error page is the site's own: in its frame, in Chinese or English, with a way back;
under /api/ the same errors answer JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.choices import Role

pytestmark = pytest.mark.django_db

FRAME = 'class="site-header"'
LANGUAGES = {
    "zh-hans": {
        403: "无权访问",
        404: "页面不存在",
        500: "服务器错误",
        "csrf": "表单已失效",
        "home": "返回首页",
        "back": "返回上一页",
    },
    "en": {
        403: "Access denied",
        404: "Page not found",
        500: "Server error",
        "csrf": "This form has expired",
        "home": "Back to the home page",
        "back": "Back to the previous page",
    },
}


def browser(language: str, **options) -> Client:
    """A client whose browser asks for ``language`` (zh-hans: no preference, the default)."""
    headers = {} if language == "zh-hans" else {"accept-language": language}
    return Client(headers=headers, **options)


def assert_own_page(response, language: str, kind) -> None:
    words = LANGUAGES[language]
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert FRAME in html  # the site's header, navigation and language switch
    assert f'<html lang="{language}">' in html
    assert words[kind] in html
    assert 'href="/"' in html
    assert words["home"] in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_permission_denied_in_a_page_view_shows_the_sites_403(language, make_user, network):
    client = browser(language)
    # A dispatcher: briefings are for leadership.
    client.force_login(make_user("dispatcher", Role.DISPATCHER, network["621122000000"]))

    response = client.get("/analytics/")

    assert response.status_code == 403
    assert_own_page(response, language, 403)
    assert "403 Forbidden" not in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_page_shows_the_sites_404_with_a_way_back(language):
    response = browser(language).get(
        "/no-such-page/", headers={"referer": "http://testserver/map/"}
    )

    assert response.status_code == 404
    assert_own_page(response, language, 404)
    html = response.content.decode()
    assert 'href="http://testserver/map/"' in html
    assert LANGUAGES[language]["back"] in html


def test_a_referer_from_another_site_is_not_offered_as_the_way_back():
    response = browser("en").get("/no-such-page/", headers={"referer": "https://evil.example.com/"})

    assert response.status_code == 404
    assert "evil.example.com" not in response.content.decode()
    assert LANGUAGES["en"]["back"] not in response.content.decode()


@pytest.mark.urls("tests.config.error_urls")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bug_in_a_page_shows_the_sites_500(language):
    response = browser(language, raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert_own_page(response, language, 500)
    assert "a bug in a view" not in response.content.decode()


@pytest.mark.urls("tests.config.bare_error_urls")
def test_when_the_frame_itself_fails_a_bare_bilingual_500_still_answers():
    response = browser("en", raise_request_exception=False).get("/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器错误" in html
    assert "Server error" in html
    assert FRAME not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failed_csrf_check_shows_the_sites_page(language):
    client = browser(language, enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "county", "password": "x"})

    assert response.status_code == 403
    assert_own_page(response, language, "csrf")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/no-such-thing/", 404),
        # A malformed id reaches the view, which asks an anonymous caller to sign in first.
        ("/api/incidents/not-a-number/", 401),
        ("/api/forbidden/", 403),
        ("/api/broken/", 500),
    ],
)
@pytest.mark.urls("tests.config.error_urls")
def test_api_errors_answer_json_in_the_requests_language(path, status):
    english = browser("en", raise_request_exception=False).get(path)
    chinese = browser("zh-hans", raise_request_exception=False).get(path)

    for response in (english, chinese):
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
    assert english.json()["detail"] != chinese.json()["detail"]
    assert all(ord(c) < 128 for c in english.json()["detail"])
