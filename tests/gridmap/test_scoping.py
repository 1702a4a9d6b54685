"""Jurisdiction scoping: a user sees their area's subtree and nothing else."""

import pytest

from accounts.choices import Role
from gridmap.models import Area, GridWorker
from gridmap.scoping import can_see_area, scope
from tests.factories import api_key


@pytest.mark.django_db
def test_village_user_sees_only_their_village_grid_workers(network, make_user):
    user = make_user("v1", jurisdiction=network["621122100001"])

    visible = scope(GridWorker.objects.all(), user)

    assert sorted(w.area.code for w in visible) == ["621122100001001", "621122100001002"]


@pytest.mark.django_db
def test_township_user_sees_all_of_their_township_and_nothing_of_the_other(network, make_user):
    user = make_user("t1", jurisdiction=network["621122101000"])

    codes = {w.area.code[:9] for w in scope(GridWorker.objects.all(), user)}

    assert codes == {"621122101"}
    assert scope(GridWorker.objects.all(), user).count() == 4


@pytest.mark.django_db
def test_county_user_sees_everything(network, make_user):
    user = make_user("c1", role=Role.COUNTY_ADMIN, jurisdiction=network["621122000000"])

    assert scope(GridWorker.objects.all(), user).count() == 8


@pytest.mark.django_db
def test_scoping_areas_themselves_keeps_the_subtree_including_the_root(network, make_user):
    user = make_user("v2", jurisdiction=network["621122101002"])

    codes = list(scope(Area.objects.all(), user, area_path="").values_list("code", flat=True))

    assert codes == ["621122101002", "621122101002001", "621122101002002"]


@pytest.mark.django_db
def test_user_without_jurisdiction_and_anonymous_see_nothing(network, make_user):
    from django.contrib.auth.models import AnonymousUser

    nobody = make_user("none", jurisdiction=None)

    assert scope(GridWorker.objects.all(), nobody).count() == 0
    assert scope(GridWorker.objects.all(), AnonymousUser()).count() == 0


@pytest.mark.django_db
def test_can_see_area_follows_the_code_prefix(network, make_user):
    user = make_user("v3", jurisdiction=network["621122100001"])

    assert can_see_area(user, network["621122100001002"])
    assert not can_see_area(user, network["621122100002001"])
    assert not can_see_area(user, network["621122100000"])  # the parent is above, not inside


@pytest.mark.django_db
def test_grid_worker_api_is_scoped_for_a_token_user(client, network, make_user):
    user = make_user("v4", jurisdiction=network["621122101001"])
    key = api_key(user)

    response = client.get("/api/grid-workers/", headers={"Authorization": f"Token {key}"})

    assert response.status_code == 200
    assert [w["grid_code"] for w in response.json()["results"]] == [
        "621122101001001",
        "621122101001002",
    ]


@pytest.mark.django_db
def test_grid_worker_api_refuses_anonymous_users(client, network):
    assert client.get("/api/grid-workers/").status_code in {401, 403}


@pytest.mark.django_db
def test_token_is_issued_for_valid_credentials_and_identifies_the_user(client, network, make_user):
    make_user("phone", role=Role.GRID_LEADER, jurisdiction=network["621122100001001"])

    token = client.post("/api/auth/token/", {"username": "phone", "password": "test-pass-123"})
    me = client.get("/api/me/", headers={"Authorization": f"Token {token.json()['token']}"})

    assert me.json()["role"] == "grid_leader"
    assert me.json()["jurisdiction_code"] == "621122100001001"


@pytest.mark.django_db
def test_wrong_password_gets_no_token(client, network, make_user):
    make_user("phone2", jurisdiction=network["621122100001"])

    response = client.post("/api/auth/token/", {"username": "phone2", "password": "nope"})

    assert response.status_code == 400
