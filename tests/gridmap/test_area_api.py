"""The public area endpoints: GeoJSON list with filters, detail with chain, OpenAPI schema."""

import pytest

LIST = "/api/areas/"


@pytest.mark.django_db
def test_area_list_is_a_geojson_feature_collection_with_total_count(client, network):
    body = client.get(LIST, {"page_size": 5}).json()

    assert body["type"] == "FeatureCollection"
    assert body["count"] == 15
    assert len(body["features"]) == 5
    assert body["next"]
    first = body["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"]["code"] == "621122000000"


@pytest.mark.django_db
def test_area_list_filters_by_level(client, network):
    body = client.get(LIST, {"level": "grid"}).json()

    assert body["count"] == 8
    assert {f["properties"]["level"] for f in body["features"]} == {"grid"}


@pytest.mark.django_db
def test_unknown_level_is_400_naming_the_field(client, network):
    response = client.get(LIST, {"level": "province"})

    assert response.status_code == 400
    assert "level" in response.json()["errors"]  # the API's one error format (docs/api.md)


@pytest.mark.django_db
def test_bbox_keeps_only_overlapping_areas(client, network):
    # A small box inside the south cell of village 1 of township A.
    body = client.get(LIST, {"level": "grid", "bbox": "104.601,35.001,104.602,35.002"}).json()

    assert [f["properties"]["code"] for f in body["features"]] == ["621122100001001"]


@pytest.mark.parametrize(
    "bbox", ["104.6,35.0,104.7", "a,b,c,d", "104.7,35.0,104.6,35.1", "104.6,35.0,104.7,nan"]
)
@pytest.mark.django_db
def test_malformed_bbox_is_400_explaining_the_format(client, network, bbox):
    response = client.get(LIST, {"bbox": bbox})

    assert response.status_code == 400
    assert "bbox" in response.json()["detail"]


@pytest.mark.django_db
def test_area_detail_has_ancestors_children_and_leader(client, network):
    village = client.get("/api/areas/621122101001/").json()
    grid = client.get("/api/areas/621122101001002/").json()

    assert [a["code"] for a in village["properties"]["ancestors"]] == [
        "621122000000",
        "621122101000",
    ]
    assert [c["code"] for c in village["properties"]["children"]] == [
        "621122101001001",
        "621122101001002",
    ]
    assert grid["properties"]["leader"]["name"] == "网格长001002"
    assert grid["properties"]["children"] == []


@pytest.mark.django_db
def test_unknown_area_code_is_404(client, network):
    assert client.get("/api/areas/999999999999/").status_code == 404


@pytest.mark.django_db
def test_openapi_schema_documents_the_area_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/areas/locate" in paths
    assert "/api/areas/{code}/" in paths


@pytest.mark.django_db
def test_api_docs_page_loads_its_assets_locally(client):
    html = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in html
    assert "cdn." not in html
    assert "https://" not in html.split("<body")[0]
