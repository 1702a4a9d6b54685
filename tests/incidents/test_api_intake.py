"""The incidents REST API: GeoJSON intake (JSON and multipart), list and detail, actions, hints."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path

import prcoords
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from incidents.models import Incident, Photo
from incidents.services import PartyInput, take_in
from tests.factories import (
    IN_GRID_A1_NORTH,
    IN_GRID_A1_SOUTH,
    IN_GRID_A2_SOUTH,
    IN_GRID_B1_SOUTH,
    api_key,
    intake_request,
)

LIST = "/api/incidents/"
# GB 11643's published example: a valid resident ID number.
ID_NUMBER = "11010519491231002X"


def detail_url(incident_id: int) -> str:
    return f"/api/incidents/{incident_id}/"


def action_url(incident_id: int, action: str) -> str:
    return f"/api/incidents/{incident_id}/actions/{action}/"


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


# --- list and detail -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_a_feature_collection_with_list_properties(as_user, intake):
    incident = intake()

    body = as_user("village").get(LIST).json()

    assert body["type"] == "FeatureCollection"
    assert body["count"] == 1
    props = body["features"][0]["properties"]
    assert props["id"] == incident.pk
    assert props["number"] == incident.number
    assert props["category"] == "neighbours"
    assert props["village_name"] == "甲镇1村"
    assert props["handling_unit_code"] == "center-621122100001"
    assert props["overdue"] is False
    assert props["owner_leader"] is None


@pytest.mark.django_db
def test_a_grid_leader_of_another_village_neither_lists_nor_reads_the_matter(as_user, intake):
    incident = intake()
    client = as_user("leader_b1")

    assert client.get(LIST).json()["count"] == 0
    response = client.get(detail_url(incident.pk))
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
def test_list_makes_the_same_number_of_queries_for_one_matter_or_five(as_user, intake):
    client = as_user("county")
    intake()
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(4):
        intake()
    with CaptureQueriesContext(connection) as five:
        body = client.get(LIST).json()

    assert body["count"] == 5
    assert len(five) == len(one)


@pytest.mark.django_db
def test_detail_has_points_parties_photos_trail_and_allowed_actions(as_user, people):
    take_in(
        request=intake_request(parties=[PartyInput("张三丰", "13912345678", ID_NUMBER)]),
        reporter=people["leader_a1"],
    )
    incident = Incident.objects.get()

    props = as_user("village").get(detail_url(incident.pk)).json()["properties"]

    assert props["locations"] == {"type": "MultiPoint", "coordinates": [list(IN_GRID_A1_SOUTH)]}
    assert props["description"] == incident.description
    assert props["events"][0]["kind"] == "intake"
    assert props["events"][0]["to_state_label"] == "Received"
    assert props["events"][0]["actor"] == "leader_a1"
    assert props["allowed_actions"] == ["assess"]
    assert props["parties"][0]["name"] == "张三丰"
    assert props["parties"][0]["masked"] is False


@pytest.mark.django_db
def test_leadership_reads_parties_masked(as_user, people):
    take_in(
        request=intake_request(parties=[PartyInput("张三丰", "13912345678", ID_NUMBER)]),
        reporter=people["leader_a1"],
    )

    props = as_user("boss").get(detail_url(Incident.objects.get().pk)).json()["properties"]

    assert props["parties"][0] == {
        "role": "applicant",
        "role_label": "Applicant",
        "name": "张**",
        "phone": "139****5678",
        "id_number": "110105********002X",
        "masked": True,
    }
    assert props["allowed_actions"] == []


# --- filters -------------------------------------------------------------------------------------


def ids(response) -> set[int]:
    return {feature["properties"]["id"] for feature in response.json()["features"]}


@pytest.mark.django_db
def test_list_filters_by_several_states(as_user, intake):
    received = intake()
    assessed = intake(points=[IN_GRID_A1_NORTH])
    as_user("village").post(action_url(assessed.pk, "assess"), {}, content_type="application/json")
    other_received = intake(points=[IN_GRID_A2_SOUTH])
    client = as_user("county")

    both = client.get(f"{LIST}?state=received&state=assessed")
    only_assessed = client.get(LIST, {"state": "assessed"})

    assert ids(both) == {received.pk, assessed.pk, other_received.pk}
    assert ids(only_assessed) == {assessed.pk}


@pytest.mark.django_db
def test_list_filters_overdue(as_user, people, intake):
    on_time = intake()
    late = take_in(
        request=intake_request(),
        reporter=people["leader_a1"],
        now=timezone.now() - dt.timedelta(days=2),
    ).incident
    client = as_user("county")

    overdue = client.get(LIST, {"overdue": "true"})

    assert ids(overdue) == {late.pk}
    assert overdue.json()["features"][0]["properties"]["overdue"] is True
    assert ids(client.get(LIST, {"overdue": "false"})) == {on_time.pk}


@pytest.mark.django_db
def test_list_filters_by_area_subtree(as_user, intake):
    in_a = intake()
    in_b = intake(points=[IN_GRID_B1_SOUTH], reporter=None)
    client = as_user("county")

    assert ids(client.get(LIST, {"area": "621122100000"})) == {in_a.pk}
    assert ids(client.get(LIST, {"area": "621122101001001"})) == {in_b.pk}


@pytest.mark.django_db
def test_list_text_search_finds_title_and_number(as_user, intake):
    drain = intake()
    fence = intake(title="篱笆倒塌", points=[IN_GRID_A1_NORTH])
    client = as_user("county")

    assert ids(client.get(LIST, {"q": "篱笆"})) == {fence.pk}
    assert ids(client.get(LIST, {"q": drain.number})) == {drain.pk}


@pytest.mark.django_db
def test_list_bbox_keeps_matters_whose_point_lies_inside(as_user, intake):
    south = intake()
    intake(points=[IN_GRID_A1_NORTH])

    response = as_user("county").get(LIST, {"bbox": "104.60,35.00,104.61,35.01"})

    assert ids(response) == {south.pk}


@pytest.mark.parametrize(
    ("name", "value"), [("bbox", "1,2,3"), ("bbox", "104.7,35,104.6,35.1"), ("state", "lost")]
)
@pytest.mark.django_db
def test_malformed_filters_are_400_naming_the_field(as_user, network, name, value):
    response = as_user("county").get(LIST, {name: value})

    assert response.status_code == 400
    assert name in response.json()["errors"]


# --- actions -------------------------------------------------------------------------------------


def act(client: Client, incident_id: int, action: str, **body) -> object:
    return client.post(
        action_url(incident_id, action), data=json.dumps(body), content_type="application/json"
    )


@pytest.mark.django_db
def test_allowed_action_is_200_and_moves_the_state(as_user, intake):
    incident = intake()

    response = act(as_user("village"), incident.pk, "assess", tier="larger", note="核实")

    assert response.status_code == 200
    props = response.json()["properties"]
    assert props["state"] == "assessed"
    assert props["tier"] == "larger"
    assert props["events"][-1]["action"] == "assess"
    assert props["events"][-1]["note"] == "核实"
    assert Incident.objects.get().state == "assessed"


@pytest.mark.django_db
def test_action_out_of_order_is_409_saying_why(as_user, intake):
    incident = intake()

    response = act(as_user("village"), incident.pk, "close")

    assert response.status_code == 409
    assert "cannot be given" in response.json()["detail"]
    assert Incident.objects.get().state == "received"


@pytest.mark.django_db
def test_action_the_role_may_not_take_is_409_saying_why(as_user, intake):
    incident = intake()

    response = act(as_user("leader_a1"), incident.pk, "assess")

    assert response.status_code == 409
    assert "Only dispatchers" in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_action_is_404(as_user, intake):
    incident = intake()

    assert act(as_user("village"), incident.pk, "teleport").status_code == 404


@pytest.mark.django_db
def test_action_on_a_matter_out_of_view_is_404(as_user, intake):
    incident = intake()

    assert act(as_user("leader_b1"), incident.pk, "assess").status_code == 404


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("assess", {"outcome": "done"}, "outcome"),
        ("assess", {"tier": "urgent"}, "tier"),
        ("assess", {"multi_department": "perhaps"}, "multi_department"),
    ],
)
@pytest.mark.django_db
def test_bad_action_parameters_are_400(as_user, intake, action, body, field):
    incident = intake()

    response = act(as_user("village"), incident.pk, action, **body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Incident.objects.get().state == "received"


@pytest.mark.django_db
def test_transfer_over_http_names_the_unit_and_report_back_time(as_user, intake, departments):
    incident = intake()
    client = as_user("county")
    act(client, incident.pk, "assess")
    act(client, incident.pk, "route")
    report_back_by = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)

    missing_unit = act(client, incident.pk, "transfer", note="需住建部门处理")
    response = act(
        client,
        incident.pk,
        "transfer",
        to_unit="dept-report_back",
        note="需住建部门处理",
        report_back_by=report_back_by.isoformat(),
    )

    assert missing_unit.status_code == 400
    assert "to_unit" in missing_unit.json()["errors"]
    assert response.status_code == 200
    props = response.json()["properties"]
    assert props["handling_unit_code"] == "dept-report_back"
    assert dt.datetime.fromisoformat(props["report_back_due_at"]) == report_back_by


@pytest.mark.django_db
def test_resolve_without_outcome_is_400_from_the_service(as_user, intake):
    incident = intake()
    client = as_user("village")
    for action in ("assess", "route", "start"):
        act(client, incident.pk, action)

    response = act(client, incident.pk, "resolve")

    assert response.status_code == 400
    assert "outcome" in response.json()["errors"]
    assert Incident.objects.get().state == "in_progress"


# --- duplicates, categories, units ---------------------------------------------------------------


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


@pytest.mark.django_db
def test_handling_units_list_centers_and_departments(as_user, intake, departments):
    intake()

    body = as_user("county").get("/api/handling-units/").json()

    codes = {unit["code"]: unit for unit in body}
    assert codes["center-621122100001"]["kind"] == "center"
    assert codes["dept-on_site"]["mode"] == "on_site"
    assert codes["dept-on_site"]["area_code"] == "621122000000"
