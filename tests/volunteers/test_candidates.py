"""Candidates for a matter: suitable, free, fresh units, nearest first, own area preferred."""

from __future__ import annotations

import pytest

from volunteers.choices import ResponderStatus
from volunteers.queries import candidates

pytestmark = pytest.mark.django_db

# The matter of the `routed` fixture lies at (104.605, 35.005); 0.001° of longitude ≈ 91 m here.


def names(found) -> list[str]:
    return [c.responder.name for c in found]


def test_nearest_first_with_distance_in_metres(routed, place_responder):
    place_responder("far", 104.625, 35.005)
    place_responder("near", 104.607, 35.005)

    found = candidates(routed)

    assert names(found) == ["near", "far"]
    assert found[0].distance_m == pytest.approx(182, abs=3)
    assert found[0].eta_min > 0


def test_units_without_the_skill_are_left_out(routed, place_responder):
    place_responder("fire only", 104.606, 35.005, skills=("fire",))
    place_responder("neighbours", 104.62, 35.005)

    assert names(candidates(routed)) == ["neighbours"]


def test_off_duty_stale_and_full_units_are_left_out(routed, place_responder):
    place_responder("off duty", 104.606, 35.005, status=ResponderStatus.OFF_DUTY)
    place_responder("stale", 104.606, 35.005, minutes_ago=31)
    place_responder("full", 104.606, 35.005, capacity=2, load=2)
    place_responder("free", 104.63, 35.005, capacity=2, load=1)

    assert names(candidates(routed)) == ["free"]


def test_a_unit_of_the_matters_own_area_wins_when_distances_are_close(
    routed, place_responder, settings
):
    settings.DISPATCH_HOME_PREFERENCE_M = 500
    place_responder("other township, 180 m", 104.607, 35.005, home="621122101000")
    place_responder("own village, 450 m", 104.605, 35.009, home="621122100001")

    found = candidates(routed)

    assert names(found) == ["own village, 450 m", "other township, 180 m"]
    assert found[0].in_jurisdiction
    assert not found[1].in_jurisdiction


def test_the_preference_does_not_beat_a_much_nearer_unit(routed, place_responder, settings):
    settings.DISPATCH_HOME_PREFERENCE_M = 500
    place_responder("other township, 180 m", 104.607, 35.005, home="621122101000")
    place_responder("own village, 1.3 km", 104.605, 35.017, home="621122100001")

    assert names(candidates(routed))[0] == "other township, 180 m"


def test_each_candidate_has_the_units_skills_in_the_categories_order(routed, place_responder):
    place_responder("one skill", 104.606, 35.005)
    place_responder(
        "three skills", 104.607, 35.005, skills=("neighbours", "fire", "marriage-family")
    )

    found = candidates(routed, limit=5)

    for candidate in found:
        assert candidate.skills == list(candidate.responder.skills.all())
    assert [len(c.skills) for c in found] == [1, 3]
