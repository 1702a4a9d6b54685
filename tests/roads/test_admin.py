"""The road admin: county administrators only; a saved speed changes the travel times at once."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from roads.models import RoadEdge, RoadNetwork, RoadSpeed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

COUNTY = "621122000000"
TOWNSHIP = "621122100000"
ROADS = (
    (((104.60, 35.00), (104.61, 35.00)), "county"),
    (((104.61, 35.00), (104.62, 35.00)), "village"),
)


@pytest.fixture
def staff(django_user_model):
    """A staff account of ``role`` over ``area`` (the admin needs ``is_staff``)."""

    def build(area, role: str = Role.COUNTY_ADMIN):
        return django_user_model.objects.create_user(
            username=f"{role}-{area.code}", role=role, jurisdiction=area, is_staff=True
        )

    return build


def test_a_county_admin_changes_a_speed_and_the_travel_times_follow(
    client, network, staff, road_network
):
    roads = road_network(*ROADS)
    client.force_login(staff(network[COUNTY]))
    speed = RoadSpeed.objects.get(road_class="county", mode="car")
    response = client.post(f"/admin/roads/roadspeed/{speed.pk}/change/", {"kmh": "80"})
    assert response.status_code == 302
    edge = RoadEdge.objects.get(network=roads, road_class="county")
    assert edge.car_s == pytest.approx(edge.length_m / (80 / 3.6))
    village = RoadEdge.objects.get(network=roads, road_class="village")
    assert village.car_s == pytest.approx(village.length_m / (20 / 3.6))


def test_a_blank_speed_closes_the_class_to_the_mode(client, network, staff, road_network):
    roads = road_network(*ROADS)
    client.force_login(staff(network[COUNTY]))
    speed = RoadSpeed.objects.get(road_class="village", mode="car")
    client.post(f"/admin/roads/roadspeed/{speed.pk}/change/", {"kmh": ""})
    assert RoadEdge.objects.get(network=roads, road_class="village").car_s == -1


def test_the_network_list_shows_counts_and_the_report(client, network, staff, road_network):
    road_network(*ROADS, name="县道路网 2026")
    client.force_login(staff(network[COUNTY]))
    listing = client.get("/admin/roads/roadnetwork/")
    assert listing.status_code == 200
    assert "县道路网 2026" in listing.content.decode()
    page = client.get(f"/admin/roads/roadnetwork/{RoadNetwork.objects.get().pk}/change/")
    assert "connected components" in page.content.decode()


@pytest.mark.parametrize(
    ("area", "role"), [(TOWNSHIP, Role.COUNTY_ADMIN), (COUNTY, Role.DISPATCHER)]
)
def test_other_staff_cannot_see_or_change_the_roads(client, network, staff, area, role):
    client.force_login(staff(network[area], role=role))
    speed = RoadSpeed.objects.get(road_class="county", mode="car")
    assert client.get("/admin/roads/roadnetwork/").status_code == 403
    response = client.post(f"/admin/roads/roadspeed/{speed.pk}/change/", {"kmh": "120"})
    assert response.status_code == 403
    assert RoadSpeed.objects.get(pk=speed.pk).kmh == 40
