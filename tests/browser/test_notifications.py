"""The bell in Chromium: an assignment shows as an unread count on every page, the list names
the matter, and marking all read clears the count."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from volunteers.services import assign

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bell_counts_a_new_assignment_and_clears_when_read(
    open_page, people, intake, walk, place_responder, live_server
):
    responder = people["responder"]
    unit = place_responder("近邻调解组", 104.607, 35.005, members=[responder])
    matter = walk(intake(), "routed")
    page = open_page(responder, "/", locale="en-US", phone=True)
    expect(page.locator("#nav-bell")).to_be_attached()
    expect(page.locator("#bell-count")).to_be_hidden()

    assign(incident_id=matter.pk, actor=people["village"], responder_id=unit.pk)
    page.reload()

    expect(page.locator("#bell-count")).to_have_text("1")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("#notification-list li.unread")).to_contain_text(matter.number)
    with page.expect_navigation():
        page.click("#read-all")
    expect(page.locator("#bell-count")).to_be_hidden()
    expect(page.locator("#notification-list li.unread")).to_have_count(0)
    assert page.errors == []
