"""A matter's page: visibility, escaping, masked parties, the overdue badge, actions; its photos."""

from __future__ import annotations

import pytest

from incidents.choices import State
from incidents.models import Incident, Party
from tests.factories import IN_GRID_B1_SOUTH
from tests.incidents.page_helpers import SCRIPT_TITLE, html, jpeg, logged_in, make_overdue

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def detail_page(client, user, incident: Incident) -> str:
    return html(logged_in(client, user).get(f"/incidents/{incident.pk}/"))


@pytest.fixture
def with_party(intake) -> Incident:
    """A matter in grid A1 with one party whose data is personal."""
    incident = intake()
    Party.objects.create(incident=incident, name="张三丰", phone="13912345678")
    return incident


# --- detail and actions --------------------------------------------------------------------------


def test_detail_is_404_for_a_matter_outside_visibility(client, people, intake):
    other = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH])

    response = logged_in(client, people["leader_a1"]).get(f"/incidents/{other.pk}/")

    assert response.status_code == 404


def test_detail_escapes_html_in_title_and_description(client, people, intake):
    incident = intake(title=SCRIPT_TITLE, description="<script>alert(2)</script>")

    page = detail_page(client, people["county"], incident)

    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_detail_masks_parties_for_leadership(client, people, with_party):
    page = detail_page(client, people["boss"], with_party)

    assert "张**" in page
    assert "139****5678" in page
    assert "张三丰" not in page


def test_detail_shows_parties_to_the_centers_staff(client, people, with_party):
    page = detail_page(client, people["county"], with_party)

    assert "张三丰" in page


def test_detail_shows_the_overdue_badge(client, people, intake):
    incident = intake()
    make_overdue(incident)

    page = detail_page(client, people["county"], incident)

    assert "badge-overdue" in page


def test_detail_offers_the_allowed_actions(client, people, intake):
    incident = intake()

    page = detail_page(client, people["county"], incident)

    assert f"/incidents/{incident.pk}/act/assess/" in page
    assert f"/incidents/{incident.pk}/act/close/" not in page


def test_allowed_action_changes_the_state(client, people, intake):
    incident = intake()

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/assess/", {"assess-tier": "larger", "assess-note": "看过"}
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == State.ASSESSED
    assert incident.tier == "larger"


def test_forbidden_action_is_409_with_the_reason(client, people, intake):
    incident = intake()

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/close/", {"close-note": ""}
    )

    assert response.status_code == 409
    assert "cannot be given" in html(response)
    incident.refresh_from_db()
    assert incident.state == State.RECEIVED


def test_action_with_missing_input_is_400(client, people, intake):
    incident = intake()
    Incident.objects.filter(pk=incident.pk).update(state=State.IN_PROGRESS)

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/resolve/", {"resolve-outcome": ""}
    )

    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.state == State.IN_PROGRESS


# --- photos --------------------------------------------------------------------------------------


def test_photo_is_served_to_users_who_see_the_matter(client, people, intake):
    from incidents.services import PhotoInput

    incident = intake(photos=[PhotoInput(file=jpeg(), name="photo.jpg")])
    photo = incident.photos.get()

    response = logged_in(client, people["county"]).get(f"/incidents/photos/{photo.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]


def test_photo_is_404_for_a_user_who_cannot_see_the_matter(client, people, intake):
    from incidents.services import PhotoInput

    incident = intake(photos=[PhotoInput(file=jpeg(), name="photo.jpg")])
    photo = incident.photos.get()

    response = logged_in(client, people["leader_b1"]).get(f"/incidents/photos/{photo.pk}/")

    assert response.status_code == 404
