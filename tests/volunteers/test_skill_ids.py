"""Responder.skill_ids, the candidate query's copy of the skills, follows every change of them."""

from __future__ import annotations

import pytest

from incidents.models import Category
from volunteers.models import Responder


def stored_skill_codes(unit: Responder) -> set[str]:
    unit.refresh_from_db(fields=["skill_ids"])
    return set(Category.objects.filter(pk__in=unit.skill_ids).values_list("code", flat=True))


@pytest.mark.django_db
def test_skill_ids_follow_set_add_remove_and_clear(place_responder):
    unit = place_responder("unit", 104.607, 35.005, skills=("neighbours",))
    assert stored_skill_codes(unit) == {"neighbours"}

    unit.skills.add(Category.objects.get(code="land-forest"))
    assert stored_skill_codes(unit) == {"neighbours", "land-forest"}

    unit.skills.remove(Category.objects.get(code="neighbours"))
    assert stored_skill_codes(unit) == {"land-forest"}

    unit.skills.clear()
    assert stored_skill_codes(unit) == set()


@pytest.mark.django_db
def test_a_stale_copy_saved_whole_cannot_put_old_skills_back(place_responder):
    unit = place_responder("unit", 104.607, 35.005, skills=("neighbours", "land-forest"))
    stale = Responder.objects.get(pk=unit.pk)
    unit.skills.set(Category.objects.filter(code="land-forest"))

    stale.name = "renamed"
    stale.save()

    assert stored_skill_codes(unit) == {"land-forest"}


@pytest.mark.django_db
def test_a_unit_whose_skill_is_taken_away_is_no_longer_a_candidate(routed, place_responder):
    from volunteers.queries import candidates

    unit = place_responder("unit", 104.607, 35.005, skills=("neighbours",))
    assert [c.responder for c in candidates(routed)] == [unit]

    unit.skills.clear()

    assert candidates(routed) == []
