"""The OpenAPI schema says what the API answers: GeoJSON pages, and its error statuses."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("name", ["PaginatedAreaFeatureList", "PaginatedIncidentFeatureList"])
def test_geojson_lists_are_feature_collections_with_features_not_results(schema, name):
    page = schema["components"]["schemas"][name]

    assert "results" not in page["properties"]
    assert page["required"] == ["type", "count", "next", "previous", "features"]
    assert page["properties"]["features"]["type"] == "array"
    assert page["properties"]["features"]["items"]["$ref"].endswith("Feature")


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("get", "/api/incidents/", {"200", "400", "401", "404"}),
        ("post", "/api/incidents/", {"201", "400", "401", "403"}),
        ("get", "/api/incidents/{id}/", {"200", "401", "404"}),
        ("post", "/api/incidents/{id}/actions/{action}/", {"200", "400", "401", "404", "409"}),
        ("post", "/api/responders/{id}/position", {"200", "400", "401", "403", "404", "429"}),
        ("get", "/api/areas/locate", {"200", "400", "404", "429"}),
        ("get", "/api/areas/{code}/", {"200", "404"}),
        ("post", "/api/auth/token/", {"200", "400"}),
    ],
)
def test_operations_document_the_statuses_they_answer(schema, method, path, codes):
    documented = set(schema["paths"][path][method]["responses"])

    assert codes <= documented


def test_public_operations_do_not_promise_a_401(schema):
    assert "401" not in schema["paths"]["/api/areas/locate"]["get"]["responses"]


def test_path_ids_are_integers(schema):
    parameters = schema["paths"]["/api/incidents/{id}/"]["get"]["parameters"]

    assert parameters[0]["schema"]["type"] == "integer"


def _required(schema: dict, answer: dict) -> set[str]:
    body = answer.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    return set(body.get("required", []))


def test_every_documented_400_allows_the_nul_byte_answer_that_has_only_a_detail(schema):
    """config.http refuses a NUL byte in any query before the view runs, with only "detail": a
    400 schema that requires more makes clients (and the schema fuzz test) reject that answer."""
    too_strict = {
        f"{method.upper()} {path}": sorted(_required(schema, operation["responses"]["400"]))
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if "400" in operation.get("responses", {})
        and _required(schema, operation["responses"]["400"]) - {"detail"}
    }

    assert too_strict == {}
