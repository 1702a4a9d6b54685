"""Parties' personal data: unmasked for those whose work needs it, masked for everyone else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.choices import Role
from incidents import services
from incidents.choices import State
from incidents.privacy import mask_id_number, mask_name, mask_phone, may_see_parties, party_view
from incidents.routing import center_for
from incidents.services import PartyInput
from tests.factories import IN_GRID_A1_SOUTH

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def matter(intake, people):
    """A window intake in grid A1 south by the village dispatcher, with one party."""
    return intake(
        reporter=people["village"],
        source="window",
        points=[IN_GRID_A1_SOUTH],
        parties=[PartyInput(name="张三丰", phone="13912345678", id_number=ID_NUMBER)],
    )


def _view(user, incident) -> dict[str, str]:
    party = incident.parties.get()
    return party_view(party, unmasked=may_see_parties(user, incident))


@pytest.mark.parametrize("who", ["leader_b1", "boss", "responder"])
def test_parties_are_masked_for_roles_that_do_not_need_them(matter, people, who):
    view = _view(people[who], matter)

    assert (view["name"], view["phone"], view["id_number"], view["masked"]) == (
        "张**",
        "139****5678",
        "110105********002X",
        True,
    )


@pytest.mark.parametrize("who", ["village", "township", "county", "admin", "leader_a1"])
def test_parties_are_unmasked_for_the_areas_staff_and_grid_leader(matter, people, who):
    view = _view(people[who], matter)

    assert (view["name"], view["phone"], view["id_number"], view["masked"]) == (
        "张三丰",
        "13912345678",
        ID_NUMBER,
        False,
    )


def test_reporter_sees_what_they_took_in(intake, people, network, make_user):
    # A grid leader reporting just outside their own grid (another leader's cell).
    leader_a2 = make_user("leader_a2", Role.GRID_LEADER, network["621122100002001"])
    incident = intake(reporter=leader_a2, parties=[PartyInput(name="王五", phone="13800001111")])

    assert not _view(leader_a2, incident)["masked"]


def test_dispatcher_of_another_township_sees_masks(matter, network, make_user):
    other = make_user("township_b", Role.DISPATCHER, network["621122101000"])

    assert _view(other, matter)["masked"]


def test_dispatcher_of_the_center_a_matter_was_transferred_to_sees_parties(
    matter, people, walk, network, make_user
):
    other = make_user("township_b", Role.DISPATCHER, network["621122101000"])
    walk(matter, State.ROUTED)
    services.transfer(
        incident_id=matter.pk,
        actor=people["village"],
        to_unit=center_for(network["621122101000"]),
        note="当事人住乙乡",
    )
    matter.refresh_from_db()

    assert not _view(other, matter)["masked"]


def test_anonymous_user_sees_masks(matter):
    assert not may_see_parties(AnonymousUser(), matter)


@pytest.mark.parametrize(
    ("mask", "value", "masked"),
    [
        (mask_name, "李四", "李*"),
        (mask_name, "欧阳", "欧*"),
        (mask_name, "", ""),
        (mask_phone, "13912345678", "139****5678"),
        (mask_phone, "12345", "*****"),
        (mask_id_number, ID_NUMBER, "110105********002X"),
        (mask_id_number, "12345", "*****"),
    ],
)
def test_masks(mask, value, masked):
    assert mask(value) == masked
