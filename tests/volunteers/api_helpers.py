"""Helpers of the dispatch REST API tests: a JSON post, what a refusal must leave as it was."""

from __future__ import annotations

import json

from django.test import Client

from volunteers.models import Assignment, Responder

PHONE = "13912345678"


def post(client: Client, url: str, body: object) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def snapshot() -> tuple:
    """Everything a refused request must leave as it was."""
    units = list(
        Responder.objects.order_by("pk").values_list("pk", "load", "status", "position_at")
    )
    assignments = list(Assignment.objects.order_by("pk").values_list("pk", "state"))
    return units, assignments
