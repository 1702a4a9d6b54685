"""Intake through the one service function: every source, the stored chain, retries, duplicates."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.choices import Role
from incidents.choices import EventKind, Source, State
from incidents.models import Incident, IncidentEvent, Party, Photo
from incidents.services import (
    IncidentInputError,
    PartyInput,
    WorkflowError,
    link_duplicate,
    take_in,
)
from tests.factories import (
    IN_GRID_A1_NORTH,
    IN_GRID_A1_SOUTH,
    IN_GRID_A2_SOUTH,
    intake_request,
    photo,
)

# A valid resident ID number (GB 11643 check character 'X').
VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("source", "who"),
    [
        (Source.FIELD, "leader_a1"),
        (Source.WINDOW, "village"),
        (Source.HOTLINE, "township"),
        (Source.API, "county"),
    ],
)
def test_each_source_is_taken_in_and_recorded(people, source, who):
    result = take_in(request=intake_request(source=source), reporter=people[who])

    incident = Incident.objects.get(pk=result.incident.pk)
    assert result.created
    assert (incident.source, incident.reporter, incident.state) == (
        source,
        people[who],
        State.RECEIVED,
    )


def test_intake_stores_the_grid_chain(people, network):
    incident = take_in(request=intake_request(), reporter=people["leader_a1"]).incident

    incident.refresh_from_db()
    assert [incident.grid.code, incident.village.code, incident.township.code] == [
        "621122100001001",
        "621122100001",
        "621122100000",
    ]
    assert incident.county.code == "621122000000"
    assert not incident.outside_grid


def test_intake_appends_one_intake_event(people):
    incident = take_in(request=intake_request(), reporter=people["leader_a1"]).incident

    events = list(incident.events.all())
    assert [(e.kind, e.actor, e.to_state) for e in events] == [
        (EventKind.INTAKE, people["leader_a1"], State.RECEIVED)
    ]


@pytest.mark.parametrize(("tier", "days"), [("ordinary", 1), ("larger", 7), ("major", 30)])
def test_due_time_follows_the_tier(people, tier, days):
    now = timezone.now()

    incident = take_in(
        request=intake_request(tier=tier), reporter=people["leader_a1"], now=now
    ).incident

    assert incident.due_at - incident.received_at == dt.timedelta(days=days)


def test_window_intake_stores_parties(people):
    parties = [
        PartyInput(name="张三", phone="13912345678", id_number=VALID_ID.lower()),
        PartyInput(name="李四", role="respondent"),
    ]

    result = take_in(
        request=intake_request(source=Source.WINDOW, parties=parties), reporter=people["village"]
    )

    stored = list(result.incident.parties.values_list("name", "phone", "id_number", "role"))
    assert stored == [
        ("张三", "13912345678", VALID_ID, "applicant"),
        ("李四", "", "", "respondent"),
    ]


def test_field_intake_stores_photos_re_encoded(people, settings):
    result = take_in(
        request=intake_request(photos=[photo("JPEG"), photo("PNG")]), reporter=people["leader_a1"]
    )

    photos = list(result.incident.photos.all())
    assert len(photos) == 2
    for stored in photos:
        assert stored.image.name.endswith(".jpg")
        assert (settings.MEDIA_ROOT / stored.image.name).read_bytes()[:2] == b"\xff\xd8"
        assert (stored.width, stored.height) == (40, 30)


def test_multi_point_matter_keeps_every_point_and_the_first_one_locates_it(people):
    points = [IN_GRID_A1_NORTH, IN_GRID_A2_SOUTH]

    incident = take_in(request=intake_request(points=points), reporter=people["township"]).incident

    incident.refresh_from_db()
    assert [(p.x, p.y) for p in incident.locations] == points
    assert (incident.location.x, incident.location.y) == IN_GRID_A1_NORTH
    assert incident.grid.code == "621122100001002"


def test_html_in_the_title_is_stored_verbatim(people):
    title = '<script>alert("x")</script><b>水管</b>'

    incident = take_in(request=intake_request(title=title), reporter=people["leader_a1"]).incident

    incident.refresh_from_db()
    assert incident.title == title


def test_gcj02_input_is_converted_and_recorded(people):
    gcj = IN_GRID_A1_SOUTH

    incident = take_in(
        request=intake_request(points=[gcj], crs="GCJ02"), reporter=people["leader_a1"]
    ).incident

    incident.refresh_from_db()
    shift_m = (
        Point(*gcj, srid=4326)
        .transform(4544, clone=True)
        .distance(incident.location.transform(4544, clone=True))
    )
    # Around Longxi the GCJ-02 offset is 249-300 m (REFERENCE.md).
    assert 240 < shift_m < 310
    assert incident.input_crs == "gcj02"


def test_point_far_outside_the_county_is_kept_flagged_with_its_nearest_grid(people):
    # About 5.5 km south of the county's south-west corner.
    far = (104.605, 34.95)

    incident = take_in(request=intake_request(points=[far]), reporter=people["county"]).incident

    incident.refresh_from_db()
    assert (incident.location.x, incident.location.y) == far
    assert incident.outside_grid
    assert incident.grid.code == "621122100001001"
    assert 5000 < incident.outside_distance_m < 6000


def test_reporter_without_an_intake_role_is_refused(people):
    with pytest.raises(WorkflowError, match="cannot take in"):
        take_in(request=intake_request(), reporter=people["boss"])


# --- retries --------------------------------------------------------------------------------------


def test_ten_retries_of_one_uid_make_one_record(people):
    uid = uuid.uuid4()

    results = [
        take_in(request=intake_request(uid=str(uid)), reporter=people["leader_a1"])
        for _ in range(10)
    ]

    assert Incident.objects.filter(uid=uid).count() == 1
    assert [r.created for r in results] == [True] + [False] * 9
    assert {r.incident.pk for r in results} == {results[0].incident.pk}


def test_retry_returns_the_first_record_even_with_changed_content(people):
    uid = uuid.uuid4()
    first = take_in(request=intake_request(uid=uid), reporter=people["leader_a1"]).incident

    again = take_in(
        request=intake_request(uid=uid, title="改过的标题"), reporter=people["leader_a1"]
    )

    assert again.incident.pk == first.pk
    assert again.incident.title == first.title


def test_uid_of_another_reporter_is_an_input_error(people):
    uid = uuid.uuid4()
    take_in(request=intake_request(uid=uid), reporter=people["leader_a1"])

    with pytest.raises(IncidentInputError) as error:
        take_in(request=intake_request(uid=uid), reporter=people["village"])

    assert "uid" in error.value.errors
    assert Incident.objects.count() == 1


def test_uid_that_is_not_a_uuid_is_an_input_error(people):
    with pytest.raises(IncidentInputError) as error:
        take_in(request=intake_request(uid="not-a-uuid"), reporter=people["leader_a1"])

    assert "uid" in error.value.errors


# --- duplicates -----------------------------------------------------------------------------------


def _offset(point: tuple[float, float], east_m: float) -> tuple[float, float]:
    """A point ``east_m`` metres east of ``point`` (at 35°N one degree of longitude is ~91.3 km)."""
    return (point[0] + east_m / 91_290, point[1])


def _report(people, *, point, category="neighbours", who="township", days_ago=0.0):
    received = timezone.now() - dt.timedelta(days=days_ago)
    return take_in(
        request=intake_request(points=[point], category=category),
        reporter=people[who],
        now=received,
    ).incident


def test_same_category_within_50_m_in_7_days_is_suggested_nearest_first(people):
    farther = _report(people, point=_offset(IN_GRID_A1_SOUTH, 40), days_ago=6)
    nearer = _report(people, point=_offset(IN_GRID_A1_SOUTH, 10), days_ago=1)

    result = take_in(request=intake_request(points=[IN_GRID_A1_SOUTH]), reporter=people["township"])

    assert [d.incident.pk for d in result.duplicates] == [nearer.pk, farther.pk]
    assert 5 < result.duplicates[0].distance_m < 15
    assert 35 < result.duplicates[1].distance_m < 45


@pytest.mark.parametrize(
    "earlier",
    [
        {"point": IN_GRID_A1_SOUTH, "category": "fire"},
        {"point": _offset(IN_GRID_A1_SOUTH, 80)},
        {"point": IN_GRID_A1_SOUTH, "days_ago": 8},
    ],
    ids=["other-category", "80-m-away", "8-days-old"],
)
def test_not_suggested_as_duplicate(people, earlier):
    _report(people, **earlier)

    result = take_in(request=intake_request(points=[IN_GRID_A1_SOUTH]), reporter=people["township"])

    assert result.duplicates == []


def test_matter_outside_the_reporters_jurisdiction_is_not_suggested(people, network, make_user):
    # Grid A2 south begins at x = 104.61: a point 20 m east of the edge is another leader's grid.
    edge = (104.61, 35.005)
    leader_a2 = make_user("leader_a2", Role.GRID_LEADER, network["621122100002001"])
    take_in(request=intake_request(points=[_offset(edge, 20)]), reporter=leader_a2)

    result = take_in(
        request=intake_request(points=[_offset(edge, -20)]), reporter=people["leader_a1"]
    )

    assert result.duplicates == []


def test_link_duplicate_marks_the_later_matter_and_appends_an_event(people):
    original = _report(people, point=IN_GRID_A1_SOUTH)
    later = _report(people, point=IN_GRID_A1_SOUTH)

    link_duplicate(incident_id=later.pk, duplicate_of_id=original.pk, actor=people["township"])

    later.refresh_from_db()
    assert later.duplicate_of == original
    assert later.events.filter(kind=EventKind.DUPLICATE).count() == 1


def test_link_duplicate_refuses_the_reverse_link(people):
    original = _report(people, point=IN_GRID_A1_SOUTH)
    later = _report(people, point=IN_GRID_A1_SOUTH)
    link_duplicate(incident_id=later.pk, duplicate_of_id=original.pk, actor=people["township"])

    with pytest.raises(IncidentInputError) as error:
        link_duplicate(incident_id=original.pk, duplicate_of_id=later.pk, actor=people["township"])

    assert "duplicate_of" in error.value.errors


def test_duplicate_of_at_intake_links_the_new_matter(people):
    original = _report(people, point=IN_GRID_A1_SOUTH)

    later = take_in(
        request=intake_request(duplicate_of=original.pk), reporter=people["township"]
    ).incident

    assert later.duplicate_of == original


# --- bad input: field errors, nothing saved -------------------------------------------------------


def _nothing_saved(settings) -> bool:
    media = settings.MEDIA_ROOT
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return (
        not Incident.objects.exists()
        and not Party.objects.exists()
        and not Photo.objects.exists()
        and not IncidentEvent.objects.exists()
        and files == []
    )


BAD_ID = "110105194912310021"  # right length, wrong check character


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"points": []}, "location", "location"),
        ({"points": [(None, None)]}, "location", "required"),
        ({"points": [(104.605, 95)]}, "location", "between -90 and 90"),
        ({"points": [(35.005, 104.605)]}, "location", "swapped"),
        ({"category": "no-such-thing"}, "category", "Unknown category"),
        ({"kind": "hazard"}, "category", "not of kind"),
        ({"kind": "alien"}, "kind", "Unknown kind"),
        ({"tier": "urgent"}, "tier", "must be one of"),
        ({"title": "   "}, "title", "required"),
        ({"title": "长" * 101}, "title", "At most 100"),
        ({"address": "路" * 201}, "address", "At most 200"),
        ({"crs": "epsg:3857"}, "location", "crs must be one of"),
        ({"duplicate_of": "abc"}, "duplicate_of", "number"),
        ({"parties": [PartyInput(name="张三", id_number=BAD_ID)]}, "parties", "ID number"),
        ({"parties": [PartyInput(name=" ")]}, "parties", "no name"),
        ({"parties": [PartyInput(name="名" * 51)]}, "parties", "more than 50"),
        ({"parties": [PartyInput(name="张三", phone="call me")]}, "parties", "phone"),
        ({"points": [(104.605, 35.005, 0, 1)]}, "location", "pair of numbers"),
    ],
    ids=[
        "missing-location",
        "empty-coordinates",
        "lat-95",
        "lat-lon-swapped",
        "unknown-category",
        "kind-category-mismatch",
        "unknown-kind",
        "unknown-tier",
        "blank-title",
        "long-title",
        "long-address",
        "unknown-crs",
        "duplicate-of-not-a-number",
        "bad-id-number",
        "party-without-name",
        "party-name-too-long",
        "party-phone-not-a-number",
        "point-not-a-pair",
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_saved(
    people, settings, overrides, field, says
):
    # Valid photos and parties ride along: they must not be stored either.
    request = intake_request(
        **{"photos": [photo()], "parties": [PartyInput(name="王五")], **overrides}
    )

    with pytest.raises(IncidentInputError) as error:
        take_in(request=request, reporter=people["village"])

    assert says in " ".join(error.value.errors[field])
    assert _nothing_saved(settings)


def test_every_bad_field_is_reported_at_once(people):
    request = intake_request(category="nope", tier="x", title="", points=[])

    with pytest.raises(IncidentInputError) as error:
        take_in(request=request, reporter=people["leader_a1"])

    assert set(error.value.errors) >= {"category", "tier", "title", "location"}
