"""manage.py set_jurisdiction: how the first administrator gets an area to see."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.choices import Role


@pytest.mark.django_db
def test_superuser_gets_the_county_and_a_role(network, django_user_model):
    django_user_model.objects.create_superuser("root", password="x-long-pass-1")

    call_command(
        "set_jurisdiction", "root", "621122000000", role=Role.COUNTY_ADMIN, stdout=StringIO()
    )

    user = django_user_model.objects.get(username="root")
    assert user.jurisdiction.code == "621122000000"
    assert user.role == Role.COUNTY_ADMIN


@pytest.mark.django_db
def test_unknown_area_is_refused_and_nothing_changes(network, make_user):
    user = make_user("v1", jurisdiction=network["621122100001"])

    with pytest.raises(CommandError, match="No area in force with code '621122999999'"):
        call_command("set_jurisdiction", "v1", "621122999999")

    user.refresh_from_db()
    assert user.jurisdiction.code == "621122100001"


@pytest.mark.django_db
def test_grid_leader_role_needs_a_grid_cell(network, make_user):
    make_user("g1", jurisdiction=network["621122100001"])

    with pytest.raises(CommandError, match="grid cell"):
        call_command("set_jurisdiction", "g1", "621122100001", role=Role.GRID_LEADER)


@pytest.mark.django_db
def test_unknown_user_is_refused(network):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("set_jurisdiction", "ghost", "621122000000")
