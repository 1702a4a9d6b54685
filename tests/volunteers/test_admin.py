"""Admin of dispatch: responders and squads kept there, assignments only read."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from accounts.choices import Role
from volunteers.choices import ResponderKind, ResponderStatus
from volunteers.models import Assignment, Responder, Volunteer
from volunteers.services import act_on_assignment, assign

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


@pytest.fixture
def root(network, django_user_model, client):
    """The county's administrator, signed in."""
    user = django_user_model.objects.create_superuser(
        "root",
        password="test-pass-123",
        jurisdiction=network["621122000000"],
        role=Role.COUNTY_ADMIN,
    )
    client.force_login(user)
    return user


@pytest.fixture
def squad(place_responder, people):
    unit = place_responder(
        "巩昌镇志愿服务队", 104.607, 35.005, kind=ResponderKind.SQUAD, members=[people["responder"]]
    )
    Volunteer.objects.create(squad=unit, name="李队长", is_leader=True)
    Volunteer.objects.create(squad=unit, name="王志愿者")
    return unit


@pytest.fixture
def assignment(routed, squad, people):
    return assign(incident_id=routed.pk, actor=people["village"], responder_id=squad.pk).assignment


def test_the_responder_list_shows_load_and_stale_positions(client, root, squad, place_responder):
    place_responder("久未上报的调解员", 104.61, 35.0, minutes_ago=45)

    response = client.get("/admin/volunteers/responder/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "巩昌镇志愿服务队" in page
    assert "久未上报的调解员" in page
    assert "0 / 1" in page
    stale = {r.name: r.is_stale() for r in response.context["cl"].result_list}
    assert stale == {"巩昌镇志愿服务队": False, "久未上报的调解员": True}


def test_the_list_filters_by_home_township(client, root, place_responder):
    place_responder("巩昌镇调解员", 104.61, 35.0, home="621122100000")
    place_responder("另一镇调解员", 104.62, 35.0, home="621122101000")

    response = client.get("/admin/volunteers/responder/", {"township": "621122101000"})

    assert [r.name for r in response.context["cl"].result_list] == ["另一镇调解员"]


def test_a_squads_page_lists_its_volunteers_and_a_mediators_has_no_such_section(
    client, root, squad, place_responder
):
    mediator = place_responder("调解员", 104.61, 35.0)

    squad_page = client.get(f"/admin/volunteers/responder/{squad.pk}/change/")
    mediator_page = client.get(f"/admin/volunteers/responder/{mediator.pk}/change/")

    assert squad_page.status_code == mediator_page.status_code == 200
    assert "李队长" in squad_page.content.decode()
    assert "volunteers-TOTAL_FORMS" in squad_page.content.decode()
    assert "volunteers-TOTAL_FORMS" not in mediator_page.content.decode()


def test_the_add_page_and_the_volunteer_pages_render(client, root, squad):
    volunteer = squad.volunteers.first()
    for url in [
        "/admin/volunteers/responder/add/",
        "/admin/volunteers/volunteer/",
        f"/admin/volunteers/volunteer/{volunteer.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_assignments_are_listed_and_shown_but_not_changed_in_the_admin(
    client, root, assignment, people
):
    act_on_assignment(assignment_id=assignment.pk, action="decline", actor=people["responder"])
    url = f"/admin/volunteers/assignment/{assignment.pk}/change/"

    listing = client.get("/admin/volunteers/assignment/")
    page = client.get(url)
    posted = client.post(url, {"state": "offered"})

    assert listing.status_code == page.status_code == 200
    assert "巩昌镇志愿服务队" in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assignment.refresh_from_db()
    assert assignment.state == "declined"
    assert client.get("/admin/volunteers/assignment/add/").status_code == 403


def test_taking_a_busy_unit_off_duty_and_back_keeps_its_step(client, root, assignment, squad):
    changelist = "/admin/volunteers/responder/"

    client.post(changelist, {"action": "take_off_duty", "_selected_action": [squad.pk]})
    squad.refresh_from_db()
    assert (squad.status, squad.load) == (ResponderStatus.OFF_DUTY, 1)

    client.post(changelist, {"action": "put_on_duty", "_selected_action": [squad.pk]})
    squad.refresh_from_db()
    assert squad.status == ResponderStatus.OFFERED  # its live offer, not "available"
    assert Assignment.objects.get().state == "offered"


def test_moving_a_unit_on_the_map_counts_as_a_fresh_position(client, root, place_responder):
    unit = place_responder("调解员", 104.61, 35.0, minutes_ago=45, phone="13800000000")
    form = {
        "name": unit.name,
        "kind": unit.kind,
        "home_area": unit.home_area_id,
        "skills": list(unit.skills.values_list("pk", flat=True)),
        "phone": unit.phone,
        "capacity": 1,
        "travel_mode": unit.travel_mode,
        "active": "on",
        # The map widget sends web-mercator coordinates (its map projection).
        "position": Point(104.62, 35.01, srid=4326).transform(3857, clone=True).json,
        "base": "",
    }

    response = client.post(f"/admin/volunteers/responder/{unit.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = Responder.objects.get(pk=unit.pk)
    assert (round(unit.position.x, 6), round(unit.position.y, 6)) == (104.62, 35.01)
    assert not unit.is_stale()
