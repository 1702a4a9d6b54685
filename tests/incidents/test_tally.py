"""The handled-matter tally the map's aggregated tiles read: kept by the database, never behind."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import HANDLED_STATES, OPEN_STATES
from incidents.models import HandledTally, Incident
from incidents.tiles import RAW_MIN_ZOOM
from tests.factories import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH
from tests.incidents.test_tiles import features, tile_url

pytestmark = pytest.mark.django_db

KEY = ("grid_id", "handling_unit_id", "kind", "state")


def tallied() -> dict[tuple, int]:
    return {
        tuple(getattr(row, name) for name in KEY): row.count for row in HandledTally.objects.all()
    }


def recounted() -> dict[tuple, int]:
    """What the tally must hold, counted from the matters themselves."""
    rows = Incident.objects.filter(state__in=HANDLED_STATES).values(*KEY).annotate(n=Count("id"))
    return {tuple(row[name] for name in KEY): row["n"] for row in rows}


def test_the_tally_follows_the_workflow_both_ways(people, intake, walk):
    first, second = intake(), intake()
    assert tallied() == {}  # open matters are not tallied
    walk(first, "resolved")
    walk(second, "followed_up", followed_up={"satisfaction": "dissatisfied"})
    assert tallied() == recounted()
    assert sum(tallied().values()) == 2
    services.reopen(incident_id=second.pk, actor=people["township"], note="当事人不满意")
    second.refresh_from_db()
    assert second.state in OPEN_STATES
    assert tallied() == recounted()
    assert sum(tallied().values()) == 1


def test_every_handled_state_is_tallied_and_no_open_one(people, intake, walk):
    # The trigger's list of states is written in its migration: it must agree with the code's.
    matter = intake()
    for state in OPEN_STATES:
        Incident.objects.filter(pk=matter.pk).update(state=state)
        assert tallied() == {}, state
    for state in HANDLED_STATES:
        Incident.objects.filter(pk=matter.pk).update(state=state)
        assert tallied() == recounted() != {}, state
    mark = intake()
    services.assess(incident_id=mark.pk, actor=people["village"])
    assert tallied() == recounted()


def test_bulk_inserts_moves_transfers_and_deletes_keep_the_tally_exact(
    people, intake, walk, departments
):
    closed = walk(intake(), "closed")
    copies = [
        Incident(**{f.attname: getattr(closed, f.attname) for f in Incident._meta.concrete_fields})
        for _ in range(5)
    ]
    for copy in copies:
        copy.pk, copy.uid = None, uuid.uuid4()
    Incident.objects.bulk_create(copies)
    assert tallied() == recounted()
    assert sum(tallied().values()) == 6

    # A corrected position moves the mean, not the count.
    row = HandledTally.objects.get()
    Incident.objects.filter(pk=closed.pk).update(location=Point(*IN_GRID_B1_SOUTH, srid=4326))
    moved = HandledTally.objects.get()
    assert moved.count == 6
    assert moved.centre.x > row.centre.x

    # A handled matter given to another unit is counted under that unit.
    Incident.objects.filter(pk=copies[0].pk).update(handling_unit=departments["report_back"])
    assert tallied() == recounted()
    assert len(tallied()) == 2

    Incident.objects.filter(pk__in=[c.pk for c in copies[1:]]).delete()
    assert tallied() == recounted()
    assert sum(tallied().values()) == 2
    Incident.objects.filter(pk=copies[0].pk).delete()
    assert tallied() == recounted()
    assert HandledTally.objects.count() == 1  # the department's row went with its last matter


def test_the_tally_holds_the_mean_position_in_web_mercator(people, intake, walk):
    for point in (IN_GRID_A1_SOUTH, IN_GRID_A1_SOUTH):
        walk(intake(points=[point]), "closed")
    row = HandledTally.objects.get()
    expected = Point(*IN_GRID_A1_SOUTH, srid=4326).transform(3857, clone=True)
    assert row.centre.srid == 3857
    assert row.centre.x == pytest.approx(expected.x, abs=0.01)
    assert row.centre.y == pytest.approx(expected.y, abs=0.01)


def mixed_matters(people, intake, walk) -> dict[str, Incident]:
    """Two closed and one resolved dispute, one open overdue hazard in A1; one closed dispute
    in B1 (another township), reported by A1's leader. A1 and B1 share a z12 tile."""
    matters = {
        "closed_a": walk(intake(), "closed"),
        "closed_b": walk(intake(), "closed"),
        "resolved": walk(intake(), "resolved"),
        "overdue": intake(category="fire"),
        "other_township": intake(points=[IN_GRID_B1_SOUTH]),
    }
    # Closed by B's township, whose dispatchers these fixtures do not have.
    Incident.objects.filter(pk=matters["other_township"].pk).update(state="closed")
    late = timezone.now() - dt.timedelta(hours=2)
    Incident.objects.filter(pk=matters["overdue"].pk).update(received_at=late, due_at=late)
    return matters


def total(found: list, name: str = "count") -> int:
    return sum(f.properties[name] for f in found)


def test_aggregated_tiles_of_every_state_add_tally_and_open_matters(client, people, intake, walk):
    mixed_matters(people, intake, walk)
    client.force_login(people["county"])
    tile = lambda **p: features(client.get(tile_url(*IN_GRID_A1_SOUTH, 12, **p)))  # noqa: E731
    every = tile(state="all")
    assert (total(every), total(every, "dispute"), total(every, "hazard")) == (5, 4, 1)
    assert total(every, "overdue") == 1
    closed = tile(state="closed")
    assert (total(closed), total(closed, "overdue")) == (3, 0)
    assert total(tile(state="resolved")) == 1
    assert total(tile(state="all", kind="hazard")) == 1
    assert total(tile(state="all", area="621122100000")) == 4
    assert total(tile(state="all", area="621122101000")) == 1
    # The same matters as single features at the raw zoom: the counts agree.
    raw = features(client.get(tile_url(*IN_GRID_A1_SOUTH, RAW_MIN_ZOOM, state="all")))
    assert len(raw) == 4


def test_aggregated_tiles_read_the_tally_not_each_handled_matter(client, people, intake, walk):
    mixed_matters(people, intake, walk)
    client.force_login(people["county"])
    HandledTally.objects.filter(state="closed").delete()  # what only the tally says
    found = features(client.get(tile_url(*IN_GRID_A1_SOUTH, 12, state="all")))
    # The resolved one from the tally, the open one read directly.
    assert total(found) == 2


def test_tallied_tiles_keep_to_the_jurisdiction_units_and_own_reports(
    client, people, intake, walk, departments
):
    matters = mixed_matters(people, intake, walk)
    tile = lambda **p: features(client.get(tile_url(*IN_GRID_A1_SOUTH, 12, **p)))  # noqa: E731
    client.force_login(people["leader_b1"])
    assert total(tile(state="all")) == 1  # only his grid's
    # A1's leader reported the B1 matter: outside his grid, still his to see, counted once.
    client.force_login(people["leader_a1"])
    assert total(tile(state="all")) == 5
    assert total(tile(state="closed")) == 3
    client.force_login(people["county"])
    assert total(tile(state="closed")) == 3

    # A handled matter of A1 now with a county department: its members see it.
    unit = departments["report_back"]
    unit.members.add(people["leader_b1"])
    Incident.objects.filter(pk=matters["closed_a"].pk).update(handling_unit=unit)
    client.force_login(people["leader_b1"])
    assert total(tile(state="closed")) == 2
    client.force_login(people["township"])
    assert total(tile(state="closed")) == 2  # A's township keeps only what its units and grids hold


def test_heat_cells_at_low_zoom_count_the_tally(client, people, intake, walk):
    mixed_matters(people, intake, walk)
    client.force_login(people["county"])
    url = reverse("incident-heat")
    bbox = "104.0,34.5,105.2,35.5"
    every = client.get(url, {"bbox": bbox, "zoom": 10, "state": "all"}).json()
    assert sum(c[2] for c in every["cells"]) == 5
    fine = client.get(url, {"bbox": bbox, "zoom": 15, "state": "all"}).json()
    assert sum(c[2] for c in fine["cells"]) == 5
