"""Pages of dispatch: the dispatch queue, the console (with its no-JavaScript forms) and the
responder's phone page; who may open them, and that a matter's title is text, never markup."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.choices import Role
from incidents.choices import State
from volunteers.choices import AssignmentState
from volunteers.models import Assignment
from volunteers.services import act_on_assignment, assign

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

SCRIPT_TITLE = "<script>alert(1)</script> 漏水"
ESCAPED_TITLE = "&lt;script&gt;alert(1)&lt;/script&gt; 漏水"
EXTERNAL = re.compile(r"""<(?:script|link|img)[^>]*\s(?:src|href)=["']https?://""")
PHONE = "13912345678"


@pytest.fixture
def matter(intake, walk):
    """A routed matter whose title tries to be markup."""
    return walk(intake(title=SCRIPT_TITLE), "routed")


@pytest.fixture
def near(place_responder, people):
    return place_responder(
        "村调解员", 104.607, 35.005, home="621122100001", phone=PHONE, members=[people["responder"]]
    )


@pytest.fixture
def offered(matter, near, people) -> Assignment:
    return assign(incident_id=matter.pk, actor=people["village"], responder_id=near.pk).assignment


def console_url(incident_id: int) -> str:
    return f"/dispatch/incidents/{incident_id}/"


def step_url(assignment_id: int, action: str) -> str:
    return f"/responder/assignments/{assignment_id}/{action}/"


def assert_safe(html: str) -> None:
    assert SCRIPT_TITLE not in html
    assert "<script>alert(1)" not in html
    assert not EXTERNAL.search(html)


# --- dispatch queue ------------------------------------------------------------------------------


def test_the_dispatch_queue_lists_routed_matters_with_a_link_to_the_console(
    matter, offered, as_user
):
    response = as_user("village").get("/dispatch/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ESCAPED_TITLE in html
    assert console_url(matter.pk) in html
    assert "村调解员 · Offered" in html
    assert_safe(html)


def test_the_dispatch_queue_leaves_out_matters_of_other_centers_and_other_states(
    matter, intake, as_user
):
    received = intake(title="刚受理的事项")

    html = as_user("village").get("/dispatch/").content.decode()

    assert ESCAPED_TITLE in html
    assert "刚受理的事项" not in html
    assert received.state == State.RECEIVED


@pytest.mark.parametrize("name", ["leader_a1", "boss", "responder"])
def test_the_dispatch_queue_refuses_who_does_not_dispatch(matter, as_user, name):
    assert as_user(name).get("/dispatch/").status_code == 403


def test_the_dispatch_pages_ask_to_sign_in_first(matter):
    response = Client().get("/dispatch/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- console -------------------------------------------------------------------------------------


def test_the_console_shows_the_candidates_with_assign_buttons_and_the_map_data(
    matter, near, place_responder, as_user
):
    place_responder("乙乡调解员", 104.625, 35.005, home="621122101000")

    response = as_user("township").get(console_url(matter.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert ESCAPED_TITLE in html
    assert "村调解员" in html
    assert "乙乡调解员" in html
    assert html.count('name="responder"') == 2
    # Only the unit of another area asks for a reason.
    assert html.count('name="override_reason"') == 1
    assert 'id="dispatch-data"' in html
    assert "js/dispatch-console.js" in html
    assert PHONE in html
    assert_safe(html)


def test_the_console_is_403_for_who_sees_the_matter_but_does_not_dispatch_and_404_for_others(
    matter, as_user
):
    assert as_user("leader_a1").get(console_url(matter.pk)).status_code == 403
    assert as_user("leader_b1").get(console_url(matter.pk)).status_code == 404


def test_the_console_lists_the_units_sent_with_a_cancel_button(offered, as_user):
    html = as_user("village").get(console_url(offered.incident_id)).content.decode()

    assert f"/dispatch/assignments/{offered.pk}/cancel/" in html


def test_the_assign_form_without_javascript_offers_the_unit(matter, near, as_user):
    response = as_user("village").post(
        f"/dispatch/incidents/{matter.pk}/assign/", {"responder": near.pk}
    )

    assert response.status_code == 302
    assert response["Location"] == console_url(matter.pk)
    assert Assignment.objects.get().responder == near


def test_the_nearest_available_form_offers_the_nearest_unit(matter, near, as_user):
    response = as_user("village").post(f"/dispatch/incidents/{matter.pk}/assign/", {})

    assert response.status_code == 302
    assert Assignment.objects.get().responder == near


def test_a_unit_of_another_area_without_a_reason_shows_why_and_asks_for_it(
    matter, place_responder, as_user
):
    other = place_responder("乙乡调解员", 104.625, 35.005, home="621122101000")
    client = as_user("township")
    url = f"/dispatch/incidents/{matter.pk}/assign/"

    refused = client.post(url, {"responder": other.pk})
    accepted = client.post(url, {"responder": other.pk, "override_reason": "本村无人"})

    html = refused.content.decode()
    assert refused.status_code == 409
    assert "give a reason to override" in html
    assert f'id="override-{other.pk}" name="override_reason" maxlength="2000" autofocus' in html
    assert accepted.status_code == 302
    assert Assignment.objects.get().override_reason == "本村无人"


def test_the_cancel_form_cancels_a_live_assignment(offered, near, as_user):
    response = as_user("village").post(f"/dispatch/assignments/{offered.pk}/cancel/")

    assert response.status_code == 302
    assert response["Location"] == console_url(offered.incident_id)
    offered.refresh_from_db()
    near.refresh_from_db()
    assert (offered.state, near.load) == (AssignmentState.CANCELLED, 0)


def test_the_matters_detail_links_its_dispatchers_to_the_console(matter, as_user):
    dispatcher = as_user("village").get(f"/incidents/{matter.pk}/").content.decode()
    leader = as_user("leader_a1").get(f"/incidents/{matter.pk}/").content.decode()

    assert console_url(matter.pk) in dispatcher
    assert console_url(matter.pk) not in leader


# --- responder page ------------------------------------------------------------------------------


def test_the_responder_page_shows_a_live_offer_with_accept_and_decline(offered, as_user):
    response = as_user("responder").get("/responder/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ESCAPED_TITLE in html
    assert step_url(offered.pk, "accept") in html
    assert step_url(offered.pk, "decline") in html
    assert step_url(offered.pk, "done") not in html
    assert "geo:35.005000,104.605000" in html
    assert f"/api/responders/{offered.responder_id}/position" in html
    assert_safe(html)


def test_the_responder_forms_walk_the_assignment_to_done(offered, as_user):
    client = as_user("responder")

    codes = [
        client.post(step_url(offered.pk, action), data).status_code
        for action, data in [
            ("accept", {}),
            ("en_route", {}),
            ("arrive", {}),
            ("done", {"note": "双方和解"}),
        ]
    ]

    assert codes == [302, 302, 302, 302]
    offered.refresh_from_db()
    assert (offered.state, offered.outcome_note) == (AssignmentState.DONE, "双方和解")
    page = client.get("/responder/").content.decode()
    assert "Recently finished" in page
    assert "双方和解" in page


def test_done_without_an_outcome_shows_why_and_changes_nothing(offered, people, as_user):
    for action in ("accept", "en_route", "arrive"):
        act_on_assignment(assignment_id=offered.pk, action=action, actor=people["responder"])

    response = as_user("responder").post(step_url(offered.pk, "done"), {"note": ""})

    assert response.status_code == 409
    offered.refresh_from_db()
    assert offered.state == AssignmentState.ON_SCENE


def test_a_decline_with_a_reason_from_the_form(offered, as_user):
    response = as_user("responder").post(step_url(offered.pk, "decline"), {"note": "车坏了"})

    assert response.status_code == 302
    offered.refresh_from_db()
    assert (offered.state, offered.decline_reason) == (AssignmentState.DECLINED, "车坏了")


def test_a_step_form_of_someone_elses_assignment_is_404(offered, as_user):
    response = as_user("leader_a1").post(step_url(offered.pk, "accept"))

    assert response.status_code == 404
    offered.refresh_from_db()
    assert offered.state == AssignmentState.OFFERED


def test_a_responder_in_no_unit_is_told_so(make_user, network, categories):
    client = Client(headers={"accept-language": "en"})
    client.force_login(make_user("lonely", Role.RESPONDER, network["621122100000"]))

    response = client.get("/responder/")

    assert response.status_code == 200
    assert "not a member of any responder unit" in response.content.decode()


def test_the_responder_page_refuses_who_is_in_no_unit_and_not_a_responder(matter, as_user):
    assert as_user("village").get("/responder/").status_code == 403


# --- navigation ----------------------------------------------------------------------------------


def test_the_menu_offers_dispatch_to_dispatchers_and_my_assignments_to_members(near, as_user):
    dispatcher = as_user("village").get("/").content.decode()
    member = as_user("responder").get("/").content.decode()
    leader = as_user("leader_a1").get("/").content.decode()

    assert 'href="/dispatch/"' in dispatcher
    assert 'href="/responder/"' not in dispatcher
    assert 'href="/responder/"' in member
    assert 'href="/dispatch/"' not in member
    assert 'href="/dispatch/"' not in leader
    assert 'href="/responder/"' not in leader
