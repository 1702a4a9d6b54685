"""`load_demo_incidents --force` after `make demo`: the synthetic matters it deletes carry the demo
responders' assignments, which protect them; dispatch removes those and frees their units."""

from __future__ import annotations

import pytest

from incidents.demo.load import delete_synthetic_incidents
from incidents.models import Incident
from volunteers.choices import ResponderStatus
from volunteers.models import Assignment


@pytest.mark.django_db
def test_deleting_synthetic_matters_takes_their_assignments_and_frees_the_units(offered, near):
    Incident.objects.filter(pk=offered.incident_id).update(synthetic=True)
    near.refresh_from_db()
    assert (near.load, near.status) == (1, ResponderStatus.OFFERED)

    assert delete_synthetic_incidents() == 1

    assert not Incident.objects.filter(pk=offered.incident_id).exists()
    assert not Assignment.objects.filter(pk=offered.pk).exists()
    near.refresh_from_db()
    assert (near.load, near.status) == (0, ResponderStatus.AVAILABLE)


@pytest.mark.django_db
def test_assignments_on_real_matters_stay(offered, near):
    assert delete_synthetic_incidents() == 0
    assert Assignment.objects.filter(pk=offered.pk).exists()
    near.refresh_from_db()
    assert near.load == 1
