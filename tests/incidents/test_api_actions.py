"""The incidents REST API's actions: allowed ones move the state, refusals say why, transfers
name the unit (from the handling units list)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from tests.incidents.api_helpers import action_url

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


@pytest.mark.django_db
def test_handling_units_list_centers_and_departments(as_user, intake, departments):
    intake()

    body = as_user("county").get("/api/handling-units/").json()

    codes = {unit["code"]: unit for unit in body}
    assert codes["center-621122100001"]["kind"] == "center"
    assert codes["dept-on_site"]["mode"] == "on_site"
    assert codes["dept-on_site"]["area_code"] == "621122000000"
