"""Issue 20, the dispatcher's journey: the queue, the matter's page and the console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from volunteers.choices import ResponderStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_dispatch_the_nearest_idle_unit_passes_over_a_nearer_unit_en_route(
    open_page, people, routed, place_responder
):
    # 20 m from the matter but on its way to another one (one of its two places taken).
    place_responder(
        "在途调解员", 104.6052, 35.005, status=ResponderStatus.EN_ROUTE, load=1, capacity=2
    )
    place_responder("空闲调解员", 104.608, 35.005)
    page = open_page(people["village"], f"/dispatch/incidents/{routed.pk}/")
    page.locator(".nearest-form button[type=submit]").click()
    expect(page.locator("#dispatch-status")).to_contain_text("空闲调解员")
    assert list(routed.assignments.values_list("responder__name", flat=True)) == ["空闲调解员"]
    assert page.errors == []
