"""Addresses of the incidents REST API, for the test_api_* modules."""

from __future__ import annotations

LIST = "/api/incidents/"


def detail_url(incident_id: int) -> str:
    return f"/api/incidents/{incident_id}/"


def action_url(incident_id: int, action: str) -> str:
    return f"/api/incidents/{incident_id}/actions/{action}/"
