"""Helpers of the incidents page tests: a signed-in client, the page's text, form posts."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.utils import timezone
from PIL import Image

from incidents.models import Incident
from tests.factories import IN_GRID_A1_SOUTH

SCRIPT_TITLE = "<script>alert(1)</script> 漏水"


def jpeg(name: str = "photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def field_post(**overrides) -> dict:
    values = {
        "uid": str(uuid.uuid4()),
        "category": "neighbours",
        "tier": "ordinary",
        "title": "院墙排水纠纷",
        "description": "两户争吵。",
        "lon": str(IN_GRID_A1_SOUTH[0]),
        "lat": str(IN_GRID_A1_SOUTH[1]),
        "accuracy_m": "12",
    }
    values.update(overrides)
    return values


def make_overdue(incident: Incident) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        received_at=timezone.now() - dt.timedelta(days=3),
        due_at=timezone.now() - dt.timedelta(days=2),
    )


def logged_in(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def window_post(**overrides) -> dict:
    values = {
        **field_post(),
        "source": "hotline",
        "address": "甲镇1村3组",
        "parties-TOTAL_FORMS": "5",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "5",
        "parties-0-role": "applicant",
        "parties-0-name": "李四",
        "parties-0-phone": "13800001111",
        "parties-0-id_number": "",
        "parties-1-role": "respondent",
        "parties-1-name": "王五",
    }
    for index in range(2, 5):
        values[f"parties-{index}-role"] = "applicant"
    values.update(overrides)
    return values
