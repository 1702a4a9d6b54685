"""Limits of the incidents API: pixels per report, parties per matter, yes/no filters."""

from __future__ import annotations

import io
import json
import time
import uuid
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from incidents.models import Incident
from tests.factories import IN_GRID_A1_SOUTH

LIST = "/api/incidents/"


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def feature(**properties) -> dict:
    values = {
        "uid": str(uuid.uuid4()),
        "category": "neighbours",
        "tier": "ordinary",
        "title": "邻里纠纷",
        "description": "两户争吵。",
        **properties,
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(IN_GRID_A1_SOUTH)},
        "properties": values,
    }


@cache
def huge_png() -> bytes:
    """A 6300 × 6300 (39.7-megapixel) one-colour PNG: a few KB on the wire."""
    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_six_huge_pngs_in_one_report_are_refused_before_decoding(people):
    photos = [
        SimpleUploadedFile(f"p{i}.png", huge_png(), content_type="image/png") for i in range(6)
    ]
    assert sum(len(p) for p in [huge_png()] * 6) < 200_000

    started = time.perf_counter()
    response = signed_in(people["leader_a1"]).post(
        LIST, {"feature": json.dumps(feature()), "photos": photos}
    )
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert "megapixels" in response.json()["errors"]["photos"][0]
    assert Incident.objects.count() == 0
    assert elapsed < 1.0


@pytest.mark.django_db
def test_the_pixel_budget_comes_from_the_settings(people, settings):
    settings.PHOTO_MAX_PIXELS_PER_REQUEST = 1_000
    photo = Image.new("RGB", (40, 30))
    out = io.BytesIO()
    photo.save(out, "JPEG")
    upload = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")

    response = signed_in(people["leader_a1"]).post(
        LIST, {"feature": json.dumps(feature()), "photos": [upload]}
    )

    assert response.status_code == 400
    assert "photos" in response.json()["errors"]


def party(n: int) -> dict:
    return {"name": f"当事人{n}", "role": "applicant"}


@pytest.mark.django_db
def test_the_api_takes_five_parties_like_the_window_form(people):
    client = signed_in(people["village"])
    body = feature(parties=[party(n) for n in range(5)])

    response = client.post(LIST, json.dumps(body), content_type="application/json")

    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("count", [6, 1000])
def test_the_api_refuses_more_than_five_parties(people, count):
    client = signed_in(people["village"])
    body = feature(parties=[party(n) for n in range(count)])

    response = client.post(LIST, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert any(name.startswith("parties") for name in response.json()["errors"])
    assert Incident.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["supervised", "overdue"])
def test_a_yes_no_filter_with_another_value_is_400_naming_it(people, name):
    response = signed_in(people["county"]).get(LIST, {name: "maybe"})

    assert response.status_code == 400
    assert name in response.json()["errors"]


@pytest.mark.django_db
def test_the_ledger_refuses_supervised_maybe(people):
    response = signed_in(people["county"]).get("/incidents/ledger.csv", {"supervised": "maybe"})

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "count"), [("true", 1), ("false", 1), ("", 2)])
def test_yes_no_filters_still_take_true_false_and_empty(people, intake, value, count):
    intake()
    Incident.objects.filter(pk=intake().pk).update(supervised=True)

    body = signed_in(people["county"]).get(LIST, {"supervised": value}).json()

    assert body["count"] == count
