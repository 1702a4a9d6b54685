"""The intake forms: the field form (photo, retry, errors, location) and the window form
(parties, ID numbers); who may use them."""

from __future__ import annotations

import io

import pytest

from incidents.models import Incident
from tests.incidents.page_helpers import field_post, html, jpeg, logged_in, window_post

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


# --- field form ----------------------------------------------------------------------------------


def test_field_form_creates_a_matter_with_a_photo(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post("/incidents/new/field/", {**field_post(), "photos": [jpeg()]})

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.source == "field"
    assert incident.photos.count() == 1
    assert incident.location_accuracy_m == 12


def test_field_form_retry_with_the_same_uid_returns_the_first_record(client, people):
    logged_in(client, people["leader_a1"])
    values = field_post()

    first = client.post("/incidents/new/field/", values)
    second = client.post("/incidents/new/field/", values)

    assert Incident.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_field_form_with_bad_input_shows_errors_and_saves_nothing(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post(
        "/incidents/new/field/", field_post(category="no-such", lon="", lat="", title="保留的标题")
    )

    page = html(response)
    assert response.status_code == 400
    assert "Unknown category" in page or "Select a valid choice" in page
    assert "保留的标题" in page
    assert Incident.objects.count() == 0


def test_field_form_without_location_says_so(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post("/incidents/new/field/", field_post(lon="", lat=""))

    assert response.status_code == 400
    assert "Give the location" in html(response)
    assert Incident.objects.count() == 0


def test_field_form_refuses_a_non_image_photo(client, people):
    logged_in(client, people["leader_a1"])
    fake = io.BytesIO(b"<?php echo 1; ?>")
    fake.name = "photo.jpg"

    response = client.post("/incidents/new/field/", {**field_post(), "photos": [fake]})

    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_field_form_is_forbidden_for_leadership(client, people):
    response = logged_in(client, people["boss"]).get("/incidents/new/field/")

    assert response.status_code == 403


# --- window form ---------------------------------------------------------------------------------


def test_window_form_takes_in_a_matter_with_parties(client, people):
    logged_in(client, people["village"])

    response = client.post("/incidents/new/window/", window_post())

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.source == "hotline"
    assert incident.address == "甲镇1村3组"
    assert sorted(incident.parties.values_list("name", flat=True)) == ["李四", "王五"]


def test_window_form_refuses_a_bad_id_number(client, people):
    logged_in(client, people["village"])

    response = client.post(
        "/incidents/new/window/", window_post(**{"parties-0-id_number": "123456789012345678"})
    )

    assert response.status_code == 400
    assert "ID number" in html(response)
    assert Incident.objects.count() == 0


def test_window_form_is_forbidden_for_grid_leaders(client, people):
    response = logged_in(client, people["leader_a1"]).get("/incidents/new/window/")

    assert response.status_code == 403
