"""Admin of incidents: categories editable, units scoped, matters read-only and scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from incidents.models import Category, Incident
from incidents.services import PartyInput, take_in
from tests.factories import IN_GRID_B1_SOUTH, intake_request

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

COUNTY = "621122000000"
TOWNSHIP_B = "621122101000"


@pytest.fixture
def root(network, django_user_model):
    """A superuser whose jurisdiction is the county (the county's administrator)."""
    return django_user_model.objects.create_superuser(
        "root", password="test-pass-123", jurisdiction=network[COUNTY], role=Role.COUNTY_ADMIN
    )


@pytest.fixture
def township_staff(network, make_user):
    """Staff of township B who may view matters and handling units."""
    user = make_user("yixiang", Role.COUNTY_ADMIN, network[TOWNSHIP_B])
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_incident", "view_handlingunit"])
    )
    return user


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_incident_list_renders_for_the_county_administrator(client, root, intake):
    intake(title="邻里纠纷待调解")
    client.force_login(root)

    response = client.get("/admin/incidents/incident/")

    assert response.status_code == 200
    assert "邻里纠纷待调解" in response.content.decode()


def test_incident_list_has_no_add_button(client, root, intake):
    intake()
    client.force_login(root)

    response = client.get("/admin/incidents/incident/")

    assert "/admin/incidents/incident/add/" not in response.content.decode()
    assert client.get("/admin/incidents/incident/add/").status_code == 403


def test_incident_list_is_cut_to_the_jurisdiction(client, township_staff, intake, people):
    intake(title="甲镇的事项")
    intake(reporter=people["leader_b1"], title="乙乡的事项", points=[IN_GRID_B1_SOUTH])
    client.force_login(township_staff)

    response = client.get("/admin/incidents/incident/")

    assert [incident.title for incident in listed(response)] == ["乙乡的事项"]


def test_incident_outside_the_jurisdiction_cannot_be_opened(client, township_staff, intake):
    incident = intake()
    client.force_login(township_staff)

    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")

    assert response.status_code == 302


def test_incident_page_is_read_only_with_its_trail(client, root, intake):
    incident = intake(title="<b>粗体</b>标题")
    client.force_login(root)

    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in html
    assert "&lt;b&gt;粗体&lt;/b&gt;标题" in html
    assert "Taken in" in html  # the intake event of the trail


def test_incident_cannot_be_changed_through_the_admin(client, root, intake):
    incident = intake()
    client.force_login(root)

    response = client.post(
        f"/admin/incidents/incident/{incident.pk}/change/", {"state": "closed", "title": "x"}
    )

    incident.refresh_from_db()
    assert response.status_code == 403
    assert (incident.state, incident.title) == ("received", "邻里因排水沟发生争执")


def test_incident_page_masks_parties_for_a_leadership_superuser(
    client, network, django_user_model, intake, people
):
    incident = intake(reporter=people["county"], parties=[PartyInput(name="张三丰")])
    boss = django_user_model.objects.create_superuser(
        "boss2", password="test-pass-123", jurisdiction=network[COUNTY], role=Role.LEADERSHIP
    )
    client.force_login(boss)

    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")

    html = response.content.decode()
    assert "张**" in html
    assert "张三丰" not in html


def test_overdue_filter_lists_only_overdue_matters(client, root, intake, people):
    late = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    take_in(request=intake_request(title="逾期事项"), reporter=people["leader_a1"], now=late)
    intake(title="未逾期事项")
    client.force_login(root)

    response = client.get("/admin/incidents/incident/?overdue=yes")

    assert [incident.title for incident in listed(response)] == ["逾期事项"]


def test_category_is_edited_in_the_list(client, root):
    category = Category.objects.get(code="neighbours")
    client.force_login(root)
    page = client.get("/admin/incidents/category/")
    rows = list(page.context["cl"].result_list)
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "_save": "Save",
    }
    for index, row in enumerate(rows):
        data[f"form-{index}-id"] = str(row.pk)
        data[f"form-{index}-name"] = "邻里矛盾" if row.pk == category.pk else row.name
        data[f"form-{index}-name_en"] = row.name_en
        data[f"form-{index}-position"] = str(row.position)
        if row.active and row.pk != category.pk:
            data[f"form-{index}-active"] = "on"

    response = client.post("/admin/incidents/category/", data)

    category.refresh_from_db()
    assert response.status_code == 302
    assert (category.name, category.active) == ("邻里矛盾", False)


def test_used_category_cannot_be_deleted(client, root, intake):
    intake()
    category = Category.objects.get(code="neighbours")
    client.force_login(root)

    page = client.get(f"/admin/incidents/category/{category.pk}/change/")
    response = client.post(f"/admin/incidents/category/{category.pk}/delete/", {"post": "yes"})

    assert "cannot be deleted" in page.content.decode()
    assert response.status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()


def test_bulk_delete_keeps_used_categories_and_says_so(client, root, intake):
    intake()
    used = Category.objects.get(code="neighbours")
    unused = Category.objects.get(code="medical")
    client.force_login(root)

    response = client.post(
        "/admin/incidents/category/",
        {"action": "delete_unused", "_selected_action": [used.pk, unused.pk]},
        follow=True,
    )

    assert Category.objects.filter(pk=used.pk).exists()
    assert not Category.objects.filter(pk=unused.pk).exists()
    assert "matters use these categories" in response.content.decode()


def test_handling_unit_list_is_cut_to_the_jurisdiction(client, township_staff, departments):
    client.force_login(township_staff)

    response = client.get("/admin/incidents/handlingunit/")

    assert response.status_code == 200
    assert listed(response) == []


def test_handling_unit_page_renders_for_the_county_administrator(client, root, departments):
    unit = departments["on_site"]
    client.force_login(root)

    response = client.get(f"/admin/incidents/handlingunit/{unit.pk}/change/")

    assert response.status_code == 200
    assert "selectfilter" in response.content.decode().lower()


def test_incident_events_have_no_admin_of_their_own(client, root):
    client.force_login(root)

    assert client.get("/admin/incidents/incidentevent/").status_code == 404


def test_incident_list_query_count_does_not_grow_with_matters(client, root, intake):
    intake()
    client.force_login(root)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/admin/incidents/incident/")
        return len(captured)

    few = queries()
    for _ in range(3):
        intake()

    assert queries() == few
    assert Incident.objects.count() == 4


def test_incident_page_shows_parties_to_the_county_administrator(client, root, intake, people):
    incident = intake(reporter=people["county"], parties=[PartyInput(name="张三丰")])
    client.force_login(root)

    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")

    assert "张三丰" in response.content.decode()
