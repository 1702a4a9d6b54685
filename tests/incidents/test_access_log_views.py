"""Every view of unmasked parties and every ledger export is one access-log row (issue 12)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.choices import AccessAction
from accounts.models import AccessLog
from incidents.services import PartyInput
from tests.factories import IN_GRID_A1_SOUTH

PARTIES = [
    PartyInput(name="张三丰", phone="13912345678", id_number="11010519491231002X"),
    PartyInput(name="李四", phone="13800001111"),
]


@pytest.fixture
def matter(intake, people):
    """A window intake in grid A1 south by the village dispatcher, with two parties."""
    return intake(
        reporter=people["village"], source="window", points=[IN_GRID_A1_SOUTH], parties=PARTIES
    )


def _views(action=AccessAction.PARTY_VIEW):
    return list(AccessLog.objects.filter(action=action))


@pytest.mark.parametrize(
    "url",
    [
        lambda m: reverse("incidents:detail", args=[m.pk]),
        lambda m: f"/api/incidents/{m.pk}/",
        lambda m: reverse("admin:incidents_incident_change", args=[m.pk]),
    ],
    ids=["page", "api", "admin"],
)
def test_viewing_unmasked_parties_adds_one_row_naming_user_matter_and_count(
    client, people, matter, url
):
    user = people["county"]
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename="view_incident"))
    client.force_login(user)
    response = client.get(url(matter), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [row] = _views()
    assert (row.user, row.username, row.role) == (user, "county", "dispatcher")
    assert (row.target_type, row.target_id, row.target_label) == (
        "incident",
        str(matter.pk),
        matter.number,
    )
    assert row.count == 2
    assert row.ip_address == "10.1.2.3"


def test_a_masked_view_adds_no_row(client, people, matter):
    client.force_login(people["boss"])  # leadership sees masks
    assert client.get(reverse("incidents:detail", args=[matter.pk])).status_code == 200
    assert client.get(f"/api/incidents/{matter.pk}/").status_code == 200
    assert _views() == []


def test_ledger_export_adds_one_row_with_count_and_filters(client, people, matter, intake):
    """Defect 2: the county dispatcher's ledger download was recorded nowhere."""
    intake(reporter=people["village"], source="window", points=[IN_GRID_A1_SOUTH])
    client.force_login(people["county"])
    for extension in ("csv", "xlsx"):
        response = client.get(reverse(f"incidents:ledger-{extension}"), {"tier": "ordinary"})
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    rows = _views(AccessAction.LEDGER_EXPORT)
    assert [r.target_label for r in sorted(rows, key=lambda r: r.pk)] == [
        "ledger.csv",
        "ledger.xlsx",
    ]
    for row in rows:
        assert row.username == "county"
        assert row.count == 2
        assert row.filters["unmasked_rows"] == 1
        assert row.filters["query"] == {"tier": ["ordinary"]}
        assert row.filters["filters"]  # the filters in words, as on the workbook's 说明 sheet


def test_bulk_unmasked_export_without_reason_is_refused(client, people, matter, settings):
    settings.LEDGER_REASON_THRESHOLD = 0
    client.force_login(people["county"])
    response = client.get(reverse("incidents:ledger-csv"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"A reason is needed" in response.content
    assert b'name="reason"' in response.content
    assert _views(AccessAction.LEDGER_EXPORT) == []


def test_bulk_unmasked_export_with_reason_is_recorded(client, people, matter, settings):
    settings.LEDGER_REASON_THRESHOLD = 0
    client.force_login(people["county"])
    response = client.get(reverse("incidents:ledger-xlsx"), {"reason": "年度矛盾纠纷排查"})
    assert response.status_code == 200
    [row] = _views(AccessAction.LEDGER_EXPORT)
    assert row.reason == "年度矛盾纠纷排查"
    assert "reason" not in row.filters["query"]


def test_export_under_the_threshold_needs_no_reason(client, people, matter, settings):
    settings.LEDGER_REASON_THRESHOLD = 1
    client.force_login(people["county"])
    assert client.get(reverse("incidents:ledger-xlsx")).status_code == 200
