"""The incidents REST API's intake: authentication, GeoJSON (JSON and multipart) with photos,
retries, refusals that save nothing, and the hints the intake form asks for first."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import prcoords
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from incidents.models import Incident, Photo
from tests.factories import IN_GRID_A1_SOUTH, api_key
from tests.incidents.api_helpers import LIST, detail_url


def feature(point=IN_GRID_A1_SOUTH, **properties) -> dict:
    """A valid GeoJSON Feature for POST, changed by ``properties`` (geometry=… replaces it)."""
    geometry = properties.pop("geometry", {"type": "Point", "coordinates": list(point)})
    values = {
        "uid": str(uuid.uuid4()),
        "category": "neighbours",
        "tier": "ordinary",
        "title": "邻里因排水沟发生争执",
        "description": "两户因院墙排水问题争吵，需调解。",
    }
    values.update(properties)
    return {"type": "Feature", "geometry": geometry, "properties": values}


def jpeg(name="photo.jpg", size=(200, 150)) -> SimpleUploadedFile:
    """A small, noisy (so not tiny) JPEG upload."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def post_json(client: Client, body: object, **extra) -> object:
    return client.post(LIST, data=json.dumps(body), content_type="application/json", **extra)


def assert_nothing_saved(settings) -> None:
    assert Incident.objects.count() == 0
    assert Photo.objects.count() == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


# --- authentication and intake -------------------------------------------------------------------


@pytest.mark.django_db
def test_token_authentication_is_accepted(people):
    client = Client(headers={"authorization": f"Token {api_key(people['leader_a1'])}"})

    response = post_json(client, feature())

    assert response.status_code == 201
    assert Incident.objects.get().reporter == people["leader_a1"]


@pytest.mark.django_db
def test_anonymous_requests_are_refused_with_401(client, people):
    response = client.get(LIST)

    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_post_geojson_creates_the_matter_in_its_grid(as_user):
    response = post_json(as_user("leader_a1"), feature())

    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "Feature"
    assert body["geometry"] == {"type": "Point", "coordinates": list(IN_GRID_A1_SOUTH)}
    props = body["properties"]
    assert props["grid_code"] == "621122100001001"
    assert props["state"] == "received"
    assert props["source"] == "api"
    assert props["created"] is True
    assert response["Location"] == detail_url(props["id"])
    assert Incident.objects.get().grid.code == "621122100001001"


@pytest.mark.django_db
def test_multipoint_feature_keeps_every_point_and_routes_to_the_township(as_user):
    geometry = {"type": "MultiPoint", "coordinates": [list(IN_GRID_A1_SOUTH), [104.615, 35.005]]}

    props = post_json(as_user("county"), feature(geometry=geometry)).json()["properties"]

    assert props["locations"]["coordinates"] == geometry["coordinates"]
    assert props["handling_unit_code"] == "center-621122100000"


@pytest.mark.parametrize("where", ["query", "property"])
@pytest.mark.django_db
def test_gcj02_coordinates_are_converted_to_wgs84(as_user, where):
    lon, lat = IN_GRID_A1_SOUTH
    shifted = prcoords.wgs_gcj((lat, lon))
    body = feature(point=(shifted.lon, shifted.lat))
    if where == "property":
        body["properties"]["crs"] = "gcj02"
        response = post_json(as_user("leader_a1"), body)
    else:
        response = as_user("leader_a1").post(
            f"{LIST}?crs=gcj02", data=json.dumps(body), content_type="application/json"
        )

    assert response.status_code == 201
    got_lon, got_lat = response.json()["geometry"]["coordinates"]
    assert got_lon == pytest.approx(lon, abs=2e-6)
    assert got_lat == pytest.approx(lat, abs=2e-6)
    assert response.json()["properties"]["input_crs"] == "gcj02"


@pytest.mark.django_db
def test_multipart_feature_with_two_photos(as_user):
    response = as_user("leader_a1").post(
        LIST, {"feature": json.dumps(feature()), "photos": [jpeg("a.jpg"), jpeg("b.jpg")]}
    )

    assert response.status_code == 201
    photos = response.json()["properties"]["photos"]
    assert len(photos) == 2
    assert photos[0]["url"] == f"/incidents/photos/{photos[0]['id']}/"
    assert (photos[0]["width"], photos[0]["height"]) == (200, 150)


@pytest.mark.django_db
def test_ten_retries_with_one_uid_make_one_record(as_user):
    client = as_user("leader_a1")
    body = feature()

    responses = [post_json(client, body) for _ in range(10)]

    assert [r.status_code for r in responses] == [201] + [200] * 9
    assert {r.json()["properties"]["id"] for r in responses} == {Incident.objects.get().pk}
    assert [r.json()["properties"]["created"] for r in responses[:2]] == [True, False]


@pytest.mark.django_db
def test_a_role_that_cannot_take_in_gets_403(as_user, settings):
    response = post_json(as_user("boss"), feature())

    assert response.status_code == 403
    assert "cannot take in" in response.json()["detail"]
    assert_nothing_saved(settings)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (feature(geometry=None), "geometry", "location"),
        (feature(point=(35.005, 104.605)), "geometry", "swapped"),
        (feature(category="astrology"), "category", "Unknown category"),
        (feature(geometry={"type": "Polygon", "coordinates": []}), "geometry", "Point"),
        (feature(tier="urgent"), "tier", "must be one of"),
        (feature(title=""), "title", "required"),
        (feature(parties=[{"name": "张三", "id_number": "123"}]), "parties", "ID number"),
        (feature(multi_department="perhaps"), "multi_department", "boolean"),
        (feature(crs="utm"), "crs", "wgs84"),
        ({"type": "FeatureCollection", "features": []}, "type", "Feature"),
    ],
    ids=[
        "missing-geometry",
        "swapped",
        "unknown-category",
        "polygon",
        "tier",
        "empty-title",
        "bad-id-number",
        "not-a-boolean",
        "unknown-crs",
        "not-a-feature",
    ],
)
@pytest.mark.django_db
def test_bad_input_is_400_with_field_errors_and_nothing_saved(
    as_user, settings, body, field, words
):
    response = post_json(as_user("leader_a1"), body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert words in " ".join(errors[field])
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_non_image_photo_is_400_and_nothing_saved(as_user, settings):
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")

    response = as_user("leader_a1").post(
        LIST, {"feature": json.dumps(feature()), "photos": [jpeg(), fake]}
    )

    assert response.status_code == 400
    assert "x.jpg is not an image" in response.json()["errors"]["photos"][0]
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_oversized_photo_is_400_and_nothing_saved(as_user, settings):
    settings.PHOTO_MAX_BYTES = 2_000
    big = jpeg("big.jpg", size=(400, 300))
    assert big.size > 2_000

    response = as_user("leader_a1").post(LIST, {"feature": json.dumps(feature()), "photos": [big]})

    assert response.status_code == 400
    assert "big.jpg" in response.json()["errors"]["photos"][0]
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_multipart_without_valid_feature_json_is_400(as_user, settings):
    response = as_user("leader_a1").post(LIST, {"feature": "{not json", "photos": [jpeg()]})

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"]["feature"][0]
    assert_nothing_saved(settings)


@pytest.mark.django_db
def test_html_in_text_comes_back_verbatim_as_json(as_user):
    title = '<script>alert("x")</script><b>墙</b>'
    response = post_json(as_user("leader_a1"), feature(title=title))

    assert response["Content-Type"] == "application/json"
    assert response.json()["properties"]["title"] == title
    listed = as_user("leader_a1").get(LIST)
    assert listed.json()["features"][0]["properties"]["title"] == title


@pytest.mark.django_db
def test_possible_duplicates_come_with_the_new_matter_and_can_be_linked(as_user, intake):
    first = intake()
    client = as_user("leader_a1")

    created = post_json(client, feature(point=(104.6051, 35.0051))).json()["properties"]
    linked = post_json(client, feature(duplicate_of=first.pk)).json()["properties"]

    assert [d["id"] for d in created["possible_duplicates"]] == [first.pk]
    assert 0 < created["possible_duplicates"][0]["distance_m"] < 50
    assert linked["duplicate_of"]["id"] == first.pk
    original = client.get(detail_url(first.pk)).json()["properties"]
    assert {d["id"] for d in original["duplicates"]} == {linked["id"]}


# --- before submitting: duplicates and categories ----------------------------------------------


@pytest.mark.django_db
def test_duplicate_suggestions_for_a_point_before_submitting(as_user, intake):
    incident = intake()
    client = as_user("leader_a1")
    url = "/api/incidents/duplicates"

    near = client.get(url, {"category": "neighbours", "lon": 104.6052, "lat": 35.0051}).json()
    other = client.get(url, {"category": "fire", "lon": 104.6052, "lat": 35.0051}).json()

    assert [s["id"] for s in near] == [incident.pk]
    assert near[0]["number"] == incident.number
    assert 0 < near[0]["distance_m"] < 50
    assert other == []


@pytest.mark.django_db
def test_duplicate_suggestions_reject_a_swapped_point(as_user, network):
    response = as_user("leader_a1").get(
        "/api/incidents/duplicates", {"category": "neighbours", "lon": 35.005, "lat": 104.605}
    )

    assert response.status_code == 400
    assert "swapped" in response.json()["errors"]["lat"][0]


@pytest.mark.django_db
def test_categories_list_active_ones_in_the_request_language(as_user):
    body = as_user("leader_a1").get("/api/categories/", {"kind": "hazard"}).json()

    assert {"code": "fire", "kind": "hazard", "kind_label": "Hazard", "name": "Fire"} in body
    assert {c["kind"] for c in body} == {"hazard"}
