"""manage.py import_service_points: CSV with lon/lat, GeoJSON, GeoPackage; all or nothing."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import Point

from analytics.models import ServicePoint

pytestmark = pytest.mark.django_db


def run(*args) -> None:
    call_command("import_service_points", *map(str, args), verbosity=0)


def test_a_csv_with_lon_lat_creates_points_tied_to_their_grid(network, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(
        "name,kind,lon,lat\n甲镇调解室,调解室,104.605,35.005\n乙乡窗口,window,104.625,35.015\n",
        encoding="utf-8",
    )
    run(path)
    points = {p.name: p for p in ServicePoint.objects.select_related("area")}
    assert points["甲镇调解室"].kind == "room"
    assert points["甲镇调解室"].area.code == "621122100001001"
    assert points["乙乡窗口"].area.code == "621122101001002"
    assert points["乙乡窗口"].kind == "window"


def test_geojson_and_geopackage_read_the_same(network, tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["A", "B"], "kind": ["mediator", "other"]},
        geometry=[Point(104.605, 35.005), Point(104.635, 35.015)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "p.gpkg", driver="GPKG")
    (tmp_path / "p.geojson").write_text(frame.to_json(), encoding="utf-8")
    run(tmp_path / "p.gpkg")
    run(tmp_path / "p.geojson", "--replace")
    assert ServicePoint.objects.count() == 4
    run(tmp_path / "p.geojson", "--replace")  # replaces the GeoJSON's own two only
    assert ServicePoint.objects.count() == 4


def test_one_bad_row_writes_nothing(network, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,kind,lon,lat\nok,room,104.605,35.005\n,room,104.61,35.01\nfar,room,120.0,30.0\n"
        "x,palace,104.61,35.01\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        run(path)
    message = str(error.value)
    assert "Row 2: no name" in message
    assert "Row 3: 120.00000, 30.00000 is far from every county" in message
    assert "Row 4: unknown kind" in message
    assert not ServicePoint.objects.exists()


def test_a_dry_run_writes_nothing(network, tmp_path):
    path = tmp_path / "p.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [104.605, 35.005]},
                        "properties": {"name": "A", "kind": "room"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    run(path, "--dry-run")
    assert not ServicePoint.objects.exists()


def test_the_demo_derives_rooms_windows_and_mediator_bases(network, tmp_path):
    from django.contrib.gis.geos import Point as GeosPoint

    from incidents.models import HandlingUnit
    from volunteers.models import Responder

    HandlingUnit.objects.create(
        code="c-county", name="县中心", kind="center", area=network["621122000000"]
    )
    HandlingUnit.objects.create(
        code="c-v1", name="村中心", kind="center", area=network["621122100001"]
    )
    Responder.objects.create(
        name="调解员甲", kind="mediator", home_area=network["621122100000"],
        base=GeosPoint(104.615, 35.015, srid=4326),
    )  # fmt: skip
    call_command("load_demo_service_points", verbosity=0)
    call_command("load_demo_service_points", verbosity=0)  # replaces its own points
    kinds = sorted(ServicePoint.objects.filter(synthetic=True).values_list("kind", flat=True))
    assert kinds == ["mediator", "room", "window"]
    base = ServicePoint.objects.get(kind="mediator")
    assert base.area.code == "621122100002002"


@pytest.mark.usefixtures("plain_static_storage")
def test_the_admin_lists_only_the_jurisdiction_s_service_points(network, make_user, client):
    from django.contrib.auth.models import Permission
    from django.contrib.gis.geos import Point as GeosPoint

    ServicePoint.objects.create(
        name="甲镇调解室", kind="room", point=GeosPoint(104.605, 35.005, srid=4326),
        area=network["621122100001001"],
    )  # fmt: skip
    ServicePoint.objects.create(
        name="乙乡窗口", kind="window", point=GeosPoint(104.625, 35.005, srid=4326),
        area=network["621122101001001"],
    )  # fmt: skip
    admin_user = make_user("points-admin", "county_admin", network["621122100000"])
    admin_user.is_staff = True
    admin_user.save()
    admin_user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_servicepoint", "add_servicepoint"])
    )
    client.force_login(admin_user)
    page = client.get("/admin/analytics/servicepoint/").content.decode()
    assert "甲镇调解室" in page
    assert "乙乡窗口" not in page
    assert client.get("/admin/analytics/servicepoint/add/").status_code == 200
