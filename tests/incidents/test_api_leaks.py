"""What the incidents API must not show: duplicate links to matters of another jurisdiction."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.services import link_duplicate
from tests.factories import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def linked_across_townships(people, intake):
    """A matter in township A linked by the county as a duplicate of one in township B, and a
    later matter in township B linked as a duplicate of the one in A."""
    in_a = intake(points=[IN_GRID_A1_SOUTH])
    in_b = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH], title="乙乡的纠纷")
    later_b = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH], title="乙乡又一起")
    link_duplicate(incident_id=in_a.pk, duplicate_of_id=in_b.pk, actor=people["county"])
    link_duplicate(incident_id=later_b.pk, duplicate_of_id=in_a.pk, actor=people["county"])
    return in_a, in_b, later_b


@pytest.mark.django_db
def test_api_detail_hides_duplicate_links_to_matters_the_user_cannot_see(
    people, linked_across_townships
):
    in_a, _in_b, _later_b = linked_across_townships

    body = signed_in(people["leader_a1"]).get(f"/api/incidents/{in_a.pk}/").json()

    assert body["properties"]["duplicate_of"] is None
    assert body["properties"]["duplicates"] == []
    assert "乙乡" not in str(body)


@pytest.mark.django_db
def test_api_detail_shows_duplicate_links_the_user_can_see(people, linked_across_townships):
    in_a, in_b, later_b = linked_across_townships

    body = signed_in(people["county"]).get(f"/api/incidents/{in_a.pk}/").json()

    assert body["properties"]["duplicate_of"]["id"] == in_b.pk
    assert [d["id"] for d in body["properties"]["duplicates"]] == [later_b.pk]


@pytest.mark.django_db
def test_page_and_api_show_the_same_duplicate_links(people, linked_across_townships):
    in_a, in_b, later_b = linked_across_townships
    client = signed_in(people["township"])

    page = client.get(f"/incidents/{in_a.pk}/").content.decode()
    api = client.get(f"/api/incidents/{in_a.pk}/").json()["properties"]

    assert api["duplicate_of"] is None
    assert api["duplicates"] == []
    assert in_b.number not in page
    assert later_b.number not in page
