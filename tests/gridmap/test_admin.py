"""Admin: lists cut to the user's jurisdiction, map widget served from the project's own files."""

import json
import re

import pytest
from django.contrib.auth.models import Permission

from accounts.choices import Role
from gridmap.models import GridWorker

VILLAGE = "621122100001"
ELSEWHERE = '{"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}'
ASSET = re.compile(r"""<(?:script[^>]*\ssrc|link[^>]*\shref)=["']([^"']+)["']""")


# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = pytest.mark.usefixtures("plain_static_storage")


@pytest.fixture
def staff(make_user):
    """A staff user with view/change rights on areas, grid workers and users."""

    def build(username, jurisdiction):
        user = make_user(username, role=Role.COUNTY_ADMIN, jurisdiction=jurisdiction)
        user.is_staff = True
        user.save()
        user.user_permissions.set(
            Permission.objects.filter(
                codename__in=[
                    "view_area",
                    "change_area",
                    "view_gridworker",
                    "change_gridworker",
                    "add_gridworker",
                    "view_user",
                    "view_areaimport",
                ]
            )
        )
        return user

    return build


def listed(response):
    return list(response.context["cl"].result_list)


@pytest.mark.django_db
def test_area_list_of_a_village_user_is_the_village_subtree(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))

    response = client.get("/admin/gridmap/area/")

    assert response.status_code == 200
    assert [area.code for area in listed(response)] == [
        VILLAGE,
        f"{VILLAGE}001",
        f"{VILLAGE}002",
    ]


@pytest.mark.django_db
def test_grid_worker_list_of_a_village_user_is_the_village_subtree(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))

    response = client.get("/admin/gridmap/gridworker/")

    assert response.status_code == 200
    assert sorted(worker.area.code for worker in listed(response)) == [
        f"{VILLAGE}001",
        f"{VILLAGE}002",
    ]


@pytest.mark.django_db
def test_user_list_of_a_village_user_leaves_out_wider_jurisdictions(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))
    staff("xian", network["621122000000"])

    response = client.get("/admin/accounts/user/")

    assert [user.username for user in listed(response)] == ["cun"]


@pytest.mark.django_db
def test_superuser_without_jurisdiction_sees_no_areas(client, network, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="test-pass-123")
    client.force_login(root)

    response = client.get("/admin/gridmap/area/")

    assert listed(response) == []


@pytest.mark.django_db
def test_superuser_with_the_county_sees_every_area(client, network, django_user_model):
    root = django_user_model.objects.create_superuser(
        "root", password="test-pass-123", jurisdiction=network["621122000000"]
    )
    client.force_login(root)

    response = client.get("/admin/gridmap/area/?all=")

    assert len(listed(response)) == len(network)


@pytest.mark.django_db
def test_area_outside_the_jurisdiction_cannot_be_opened(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))
    other = network["621122101001"]

    response = client.get(f"/admin/gridmap/area/{other.pk}/change/")

    assert response.status_code == 302


@pytest.mark.django_db
def test_grid_worker_cannot_be_moved_to_a_grid_outside_the_jurisdiction(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))
    worker = GridWorker.objects.get(area__code=f"{VILLAGE}001")
    outside = network["621122101001001"]

    response = client.post(
        f"/admin/gridmap/gridworker/{worker.pk}/change/",
        {"name": worker.name, "role": worker.role, "area": outside.pk, "phone": "", "active": "on"},
    )

    assert response.status_code == 200
    assert "area" in response.context["adminform"].form.errors
    worker.refresh_from_db()
    assert worker.area.code == f"{VILLAGE}001"


@pytest.mark.django_db
def test_area_page_shows_the_boundary_on_the_vendored_openlayers_map(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))

    response = client.get(f"/admin/gridmap/area/{network[VILLAGE].pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    options = re.search(
        r'<script id="id_boundary_options" type="application/json">(.*?)</script>', html
    )
    assert json.loads(options.group(1))["read_only"] is True  # js/admin-map.js: no draw tools
    assert re.search(r"<script(?![^>]*\b(src|type)=)[^>]*>", html) is None  # no inline script
    assets = ASSET.findall(html)
    assert "/static/vendor/ol/ol.js" in assets
    assert [a for a in assets if not a.startswith(("/static/", "/admin/jsi18n/"))] == []


@pytest.mark.django_db
def test_boundary_is_not_changed_from_the_admin(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))
    village = network[VILLAGE]
    before = village.boundary.wkt

    client.post(
        f"/admin/gridmap/area/{village.pk}/change/",
        {
            "population": "1200",
            "households": "400",
            "boundary": ELSEWHERE,
            "source": "census",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )

    village.refresh_from_db()
    assert village.population == 1200
    assert village.boundary.wkt == before


@pytest.mark.django_db
def test_grid_worker_page_has_a_point_map_centred_on_the_jurisdiction(client, network, staff):
    client.force_login(staff("cun", network[VILLAGE]))

    response = client.get("/admin/gridmap/gridworker/add/")

    html = response.content.decode()
    assert response.status_code == 200
    options = re.search(
        r'<script id="id_home_point_options" type="application/json">(.*?)</script>', html
    )
    assert json.loads(options.group(1))["geom_name"] == "Point"
    assert json.loads(options.group(1))["default_zoom"] == 14
