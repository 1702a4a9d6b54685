"""Pages of incidents: queue, detail and actions, photos, field and window forms, my grid."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from incidents.choices import State
from incidents.models import Incident, Party
from tests.incidents.conftest import IN_GRID_A1_SOUTH, IN_GRID_B1_SOUTH

pytestmark = pytest.mark.django_db

SCRIPT_TITLE = "<script>alert(1)</script> 漏水"
EXTERNAL = re.compile(r"""<(?:script|link|img)[^>]*\s(?:src|href)=["']https?://""")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; pages are tested against the source files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def jpeg(name: str = "photo.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def field_post(**overrides) -> dict:
    values = {
        "uid": str(uuid.uuid4()),
        "category": "neighbours",
        "tier": "ordinary",
        "title": "院墙排水纠纷",
        "description": "两户争吵。",
        "lon": str(IN_GRID_A1_SOUTH[0]),
        "lat": str(IN_GRID_A1_SOUTH[1]),
        "accuracy_m": "12",
    }
    values.update(overrides)
    return values


def make_overdue(incident: Incident) -> None:
    Incident.objects.filter(pk=incident.pk).update(
        received_at=timezone.now() - dt.timedelta(days=3),
        due_at=timezone.now() - dt.timedelta(days=2),
    )


def logged_in(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def detail_page(client, user, incident: Incident) -> str:
    return html(logged_in(client, user).get(f"/incidents/{incident.pk}/"))


@pytest.fixture
def with_party(intake) -> Incident:
    """A matter in grid A1 with one party whose data is personal."""
    incident = intake()
    Party.objects.create(incident=incident, name="张三丰", phone="13912345678")
    return incident


# --- queue ---------------------------------------------------------------------------------------


def test_queue_lists_only_visible_matters(client, people, intake):
    mine = intake(title="甲村的事")
    other = intake(reporter=people["leader_b1"], title="乙乡的事", points=[IN_GRID_B1_SOUTH])

    page = html(logged_in(client, people["village"]).get("/incidents/?scope=all"))

    assert mine.title in page
    assert other.title not in page


def test_queue_filters_by_state(client, people, intake):
    received = intake(title="刚受理的事")
    assessed = intake(title="研判过的事")
    Incident.objects.filter(pk=assessed.pk).update(state=State.ASSESSED)

    page = html(logged_in(client, people["county"]).get("/incidents/?state=assessed"))

    assert assessed.title in page
    assert received.title not in page


def test_queue_filters_overdue_and_shows_badge(client, people, intake):
    late = intake(title="逾期的事")
    on_time = intake(title="按时的事")
    make_overdue(late)

    page = html(logged_in(client, people["county"]).get("/incidents/?overdue=true"))

    assert late.title in page
    assert on_time.title not in page
    assert "badge-overdue" in page


def test_queue_searches_text(client, people, intake):
    found = intake(title="排水沟争执")
    intake(title="山林界线", description="界桩移动。")

    page = html(logged_in(client, people["county"]).get("/incidents/?q=排水"))

    assert found.title in page
    assert "山林界线" not in page


def test_queue_defaults_to_open_matters(client, people, intake):
    closed = intake(title="已办结的事")
    Incident.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    open_one = intake(title="未办结的事")

    page = html(logged_in(client, people["county"]).get("/incidents/?scope=all"))

    assert open_one.title in page
    assert closed.title not in page


def test_queue_escapes_html_in_titles(client, people, intake):
    intake(title=SCRIPT_TITLE)

    page = html(logged_in(client, people["county"]).get("/incidents/?scope=all"))

    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_queue_links_the_ledger_with_its_filters(client, people):
    page = html(logged_in(client, people["county"]).get("/incidents/?q=abc&scope=all"))

    # The export is a form (it has a reason field): the filters travel as hidden fields.
    assert 'action="/incidents/ledger.csv"' in page
    assert 'formaction="/incidents/ledger.xlsx"' in page
    assert '<input type="hidden" name="q" value="abc">' in page
    assert '<input type="hidden" name="scope" value="all">' in page
    assert 'name="reason"' in page


def test_queue_needs_login(client, network):
    response = client.get("/incidents/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_queue_has_no_n_plus_one(client, people, intake, django_assert_max_num_queries):
    for index in range(12):
        intake(title=f"事项{index}")
    logged_in(client, people["county"])

    # 11: every signed-in page's bell and live-feed cursor share one query
    # (notify.context_processors.bell), whatever the number of matters.
    with django_assert_max_num_queries(11):
        client.get("/incidents/?scope=all")


# --- detail and actions --------------------------------------------------------------------------


def test_detail_is_404_for_a_matter_outside_visibility(client, people, intake):
    other = intake(reporter=people["leader_b1"], points=[IN_GRID_B1_SOUTH])

    response = logged_in(client, people["leader_a1"]).get(f"/incidents/{other.pk}/")

    assert response.status_code == 404


def test_detail_escapes_html_in_title_and_description(client, people, intake):
    incident = intake(title=SCRIPT_TITLE, description="<script>alert(2)</script>")

    page = detail_page(client, people["county"], incident)

    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page


def test_detail_masks_parties_for_leadership(client, people, with_party):
    page = detail_page(client, people["boss"], with_party)

    assert "张**" in page
    assert "139****5678" in page
    assert "张三丰" not in page


def test_detail_shows_parties_to_the_centers_staff(client, people, with_party):
    page = detail_page(client, people["county"], with_party)

    assert "张三丰" in page


def test_detail_shows_the_overdue_badge(client, people, intake):
    incident = intake()
    make_overdue(incident)

    page = detail_page(client, people["county"], incident)

    assert "badge-overdue" in page


def test_detail_offers_the_allowed_actions(client, people, intake):
    incident = intake()

    page = detail_page(client, people["county"], incident)

    assert f"/incidents/{incident.pk}/act/assess/" in page
    assert f"/incidents/{incident.pk}/act/close/" not in page


def test_allowed_action_changes_the_state(client, people, intake):
    incident = intake()

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/assess/", {"assess-tier": "larger", "assess-note": "看过"}
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == State.ASSESSED
    assert incident.tier == "larger"


def test_forbidden_action_is_409_with_the_reason(client, people, intake):
    incident = intake()

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/close/", {"close-note": ""}
    )

    assert response.status_code == 409
    assert "cannot be given" in html(response)
    incident.refresh_from_db()
    assert incident.state == State.RECEIVED


def test_action_with_missing_input_is_400(client, people, intake):
    incident = intake()
    Incident.objects.filter(pk=incident.pk).update(state=State.IN_PROGRESS)

    response = logged_in(client, people["county"]).post(
        f"/incidents/{incident.pk}/act/resolve/", {"resolve-outcome": ""}
    )

    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.state == State.IN_PROGRESS


# --- photos --------------------------------------------------------------------------------------


def test_photo_is_served_to_users_who_see_the_matter(client, people, intake):
    from incidents.services import PhotoInput

    incident = intake(photos=[PhotoInput(file=jpeg(), name="photo.jpg")])
    photo = incident.photos.get()

    response = logged_in(client, people["county"]).get(f"/incidents/photos/{photo.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]


def test_photo_is_404_for_a_user_who_cannot_see_the_matter(client, people, intake):
    from incidents.services import PhotoInput

    incident = intake(photos=[PhotoInput(file=jpeg(), name="photo.jpg")])
    photo = incident.photos.get()

    response = logged_in(client, people["leader_b1"]).get(f"/incidents/photos/{photo.pk}/")

    assert response.status_code == 404


# --- field form ----------------------------------------------------------------------------------


def test_field_form_creates_a_matter_with_a_photo(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post("/incidents/new/field/", {**field_post(), "photos": [jpeg()]})

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.source == "field"
    assert incident.photos.count() == 1
    assert incident.location_accuracy_m == 12


def test_field_form_retry_with_the_same_uid_returns_the_first_record(client, people):
    logged_in(client, people["leader_a1"])
    values = field_post()

    first = client.post("/incidents/new/field/", values)
    second = client.post("/incidents/new/field/", values)

    assert Incident.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]


def test_field_form_with_bad_input_shows_errors_and_saves_nothing(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post(
        "/incidents/new/field/", field_post(category="no-such", lon="", lat="", title="保留的标题")
    )

    page = html(response)
    assert response.status_code == 400
    assert "Unknown category" in page or "Select a valid choice" in page
    assert "保留的标题" in page
    assert Incident.objects.count() == 0


def test_field_form_without_location_says_so(client, people):
    logged_in(client, people["leader_a1"])

    response = client.post("/incidents/new/field/", field_post(lon="", lat=""))

    assert response.status_code == 400
    assert "Give the location" in html(response)
    assert Incident.objects.count() == 0


def test_field_form_refuses_a_non_image_photo(client, people):
    logged_in(client, people["leader_a1"])
    fake = io.BytesIO(b"<?php echo 1; ?>")
    fake.name = "photo.jpg"

    response = client.post("/incidents/new/field/", {**field_post(), "photos": [fake]})

    assert response.status_code == 400
    assert Incident.objects.count() == 0


def test_field_form_is_forbidden_for_leadership(client, people):
    response = logged_in(client, people["boss"]).get("/incidents/new/field/")

    assert response.status_code == 403


# --- window form ---------------------------------------------------------------------------------


def window_post(**overrides) -> dict:
    values = {
        **field_post(),
        "source": "hotline",
        "address": "甲镇1村3组",
        "parties-TOTAL_FORMS": "5",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "5",
        "parties-0-role": "applicant",
        "parties-0-name": "李四",
        "parties-0-phone": "13800001111",
        "parties-0-id_number": "",
        "parties-1-role": "respondent",
        "parties-1-name": "王五",
    }
    for index in range(2, 5):
        values[f"parties-{index}-role"] = "applicant"
    values.update(overrides)
    return values


def test_window_form_takes_in_a_matter_with_parties(client, people):
    logged_in(client, people["village"])

    response = client.post("/incidents/new/window/", window_post())

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.source == "hotline"
    assert incident.address == "甲镇1村3组"
    assert sorted(incident.parties.values_list("name", flat=True)) == ["李四", "王五"]


def test_window_form_refuses_a_bad_id_number(client, people):
    logged_in(client, people["village"])

    response = client.post(
        "/incidents/new/window/", window_post(**{"parties-0-id_number": "123456789012345678"})
    )

    assert response.status_code == 400
    assert "ID number" in html(response)
    assert Incident.objects.count() == 0


def test_window_form_is_forbidden_for_grid_leaders(client, people):
    response = logged_in(client, people["leader_a1"]).get("/incidents/new/window/")

    assert response.status_code == 403


# --- my grid -------------------------------------------------------------------------------------


def test_my_grid_lists_the_leaders_grid_only(client, people, intake):
    mine = intake(title="本网格的事")
    intake(reporter=people["county"], title="隔壁网格的事", points=[(104.605, 35.015)])

    page = html(logged_in(client, people["leader_a1"]).get("/incidents/my-grid/"))

    assert mine.title in page
    assert "隔壁网格的事" not in page


# --- every page ----------------------------------------------------------------------------------


@pytest.fixture
def page_urls(people, intake):
    incident = intake(title="页面检查")
    return [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        "/incidents/new/field/",
        "/incidents/my-grid/",
    ]


def test_pages_render_in_chinese_by_default(zh_client, people, page_urls):
    zh_client.force_login(people["leader_a1"])

    for url in page_urls:
        response = zh_client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="zh-hans">' in html(response), url


def test_window_form_renders_in_chinese_by_default(zh_client, people):
    zh_client.force_login(people["county"])

    response = zh_client.get("/incidents/new/window/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html(response)


def test_pages_load_nothing_from_other_hosts(client, people, page_urls):
    logged_in(client, people["leader_a1"])

    for url in [*page_urls, "/map/"]:
        assert not EXTERNAL.search(html(client.get(url))), url


def test_map_offers_matter_and_responder_tiles_to_logged_in_users(client, people):
    page = html(logged_in(client, people["county"]).get("/map/"))

    assert 'id="ops-layers"' in page
    assert 'data-tiles="/tiles/incidents/0/0/0.pbf"' in page
    assert 'data-responder-tiles="/tiles/responders/0/0/0.pbf"' in page


def test_map_offers_grid_leaders_no_responders_and_no_console(client, people):
    page = html(logged_in(client, people["leader_a1"]).get("/map/"))

    assert 'data-responder-tiles=""' in page
    assert 'data-console-url=""' in page


def test_map_hides_matters_from_anonymous_visitors(client, network):
    page = html(client.get("/map/"))

    assert 'id="ops-layers"' not in page
