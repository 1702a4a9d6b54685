"""Malformed requests are always a 4xx: JSON nested too deeply, NUL bytes in paths and queries."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import api_key

DEEP = "[" * 50_000


def token_client(user) -> Client:
    """A client that authenticates with the user's API token (no session, no CSRF)."""
    return Client(headers={"authorization": f"Token {api_key(user)}", "accept-language": "en"})


@pytest.mark.django_db
def test_json_nested_50000_deep_is_400_not_a_server_error(people):
    client = token_client(people["leader_a1"])

    response = client.post("/api/incidents/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.django_db
def test_geojson_body_nested_too_deeply_is_400(people):
    client = token_client(people["leader_a1"])

    response = client.post("/api/incidents/", DEEP, content_type="application/geo+json")

    assert response.status_code == 400


@pytest.mark.django_db
def test_multipart_feature_nested_too_deeply_is_400_naming_the_field(people):
    client = token_client(people["leader_a1"])

    response = client.post("/api/incidents/", {"feature": DEEP})

    assert response.status_code == 400
    assert "feature" in response.json()["errors"]


@pytest.mark.django_db
def test_deep_json_to_an_endpoint_without_its_own_parsers_is_400(people):
    # The token endpoint uses the project's default parsers.
    response = Client().post("/api/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/areas/%00/", "/api/areas/?level=%00", "/api/areas/locate?lon=104.6%00&lat=35"],
)
def test_nul_byte_in_an_api_path_or_query_is_json_400(client, network, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.django_db
def test_nul_byte_in_a_page_address_is_400(client, network):
    response = client.get("/incidents/?q=%00")

    assert response.status_code == 400


def _views(patterns, prefix=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_view_parses_json_with_the_safe_parser():
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser

    from config.http import SafeJSONParser

    unsafe = []
    for route, callback in _views(get_resolver().url_patterns):
        view_class = getattr(callback, "cls", None)
        for parser in getattr(view_class, "parser_classes", ()):
            if issubclass(parser, JSONParser) and not issubclass(parser, SafeJSONParser):
                unsafe.append(route)
    assert unsafe == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/incidents/abc/"),
        ("get", "/api/incidents/99999999999999999999999/"),
        ("get", "/api/incidents/-1/assignments"),
        ("get", "/api/incidents/1.5/candidates"),
        ("post", "/api/incidents/null,null/actions/assess/"),
        ("post", "/api/incidents/1/actions/a,b/"),
        ("post", "/api/assignments/x/accept/"),
        ("post", "/api/responders/abc/position"),
        ("get", "/api/analytics/hotspots/abc"),
    ],
)
def test_a_malformed_id_in_an_api_path_is_a_json_404(people, method, url):
    client = token_client(people["county"])

    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.django_db
def test_every_api_validation_error_has_detail_and_errors(client, network):
    body = client.get("/api/areas/", {"level": "province"}).json()

    assert body["detail"].startswith("level:")
    assert "level" in body["errors"]
