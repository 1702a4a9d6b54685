"""The queue of matters and a grid leader's own grid: visibility, filters, search, escaping,
the ledger's export form, a fixed number of queries."""

from __future__ import annotations

import pytest

from incidents.choices import State
from incidents.models import Incident
from tests.factories import IN_GRID_B1_SOUTH
from tests.incidents.page_helpers import SCRIPT_TITLE, html, logged_in, make_overdue

# The manifest storage needs collectstatic; pages are tested against the source files.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


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


# --- my grid -------------------------------------------------------------------------------------


def test_my_grid_lists_the_leaders_grid_only(client, people, intake):
    mine = intake(title="本网格的事")
    intake(reporter=people["county"], title="隔壁网格的事", points=[(104.605, 35.015)])

    page = html(logged_in(client, people["leader_a1"]).get("/incidents/my-grid/"))

    assert mine.title in page
    assert "隔壁网格的事" not in page
